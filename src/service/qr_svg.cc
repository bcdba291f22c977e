#include "service/qr_svg.h"

#include <fmt/format.h>
#include <qrencode.h>

#include <memory>
#include <string>

namespace tfzo {
namespace {

constexpr int kQuietZone = 4;  // modules of white around the code (ISO/IEC 18004)

}  // namespace

Result<std::string> QrSvg(std::string_view text) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) return Internal("the QR code could not be made");
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  std::string path;
  // One horizontal run of dark modules per "M x yhNv1h-Nz": a few hundred of them in all.
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if ((code->data[y * width + x] & 1) == 0) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < width && (code->data[y * width + x] & 1) != 0) ++x;
      path +=
          fmt::format("M{} {}h{}v1h-{}z", start + kQuietZone, y + kQuietZone, x - start, x - start);
    }
  }
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" width=\"{1}\" "
      "height=\"{1}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">"
      "<rect width=\"{0}\" height=\"{0}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{2}\"/></svg>",
      size, size * 5, path);
}

}  // namespace tfzo
