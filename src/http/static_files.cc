#include "http/static_files.h"

#include <fstream>
#include <sstream>

#include "core/embedded_file.h"

namespace tfzo::web {
const std::vector<tfzo::EmbeddedFile>& Files();
}  // namespace tfzo::web

namespace tfzo::http {
namespace {

std::string_view ContentType(std::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json; charset=utf-8";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Only plain relative paths: no "..", no empty or hidden segments.
bool IsSafe(std::string_view relative) {
  if (relative.empty()) return false;
  size_t start = 0;
  while (start <= relative.size()) {
    const size_t end = std::min(relative.find('/', start), relative.size());
    std::string_view seg = relative.substr(start, end - start);
    if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::optional<std::string> StaticFiles::Read(std::string_view relative) const {
  if (!dir_.empty()) {
    std::ifstream in(dir_ + "/" + std::string(relative), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  for (const EmbeddedFile& f : tfzo::web::Files()) {
    if (f.path == relative) return std::string(f.data);
  }
  return std::nullopt;
}

HttpResponse StaticFiles::Serve(std::string_view path) const {
  if (path.empty() || path.front() != '/') return ErrorResponse(NotFound("No such page."));
  std::string_view relative = path == "/" ? "index.html" : path.substr(1);
  std::optional<std::string> body;
  if (IsSafe(relative)) body = Read(relative);
  if (!body) return ErrorResponse(NotFound("No such page."));
  HttpResponse res{beast_http::status::ok, 11};
  res.set(beast_http::field::content_type, ContentType(relative));
  res.set(beast_http::field::cache_control, "no-cache");
  res.body() = std::move(*body);
  res.prepare_payload();
  return res;
}

}  // namespace tfzo::http
