#include "core/ids.h"

#include <sodium.h>

#include <vector>

#include "core/api_key.h"

namespace tfzo {

std::string NewId(std::string_view prefix, Random& random) {
  std::string id(prefix);
  id += '_';
  id.resize(id.size() + 22);
  FillFromAlphabet(random, kBase62Alphabet, std::span(id).last(22));
  return id;
}

std::string NewToken(Random& random, size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  random.Fill(raw);
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

}  // namespace tfzo
