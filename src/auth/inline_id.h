#ifndef TFZO_AUTH_INLINE_ID_H_
#define TFZO_AUTH_INLINE_ID_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string_view>

namespace tfzo {

// An id held in place, for the tables of the key-check path: a std::string of 26 characters
// keeps them in a separate allocation, so each compare during a lookup among thousands of
// keys costs a cache miss of its own. Every id this server makes fits (at most 26 characters:
// a prefix of up to 3, '_', 22 random); From() refuses a longer one, and each table says what
// it does then. 28 bytes; a value type, trivially copyable.
class InlineId {
 public:
  static constexpr size_t kCapacity = 27;

  static std::optional<InlineId> From(std::string_view id) {
    if (id.size() > kCapacity) return std::nullopt;
    InlineId out;
    std::memcpy(out.data_, id.data(), id.size());
    out.size_ = static_cast<uint8_t>(id.size());
    return out;
  }

  std::string_view view() const { return {data_, size_}; }
  bool empty() const { return size_ == 0; }

  // The unused bytes are zero, so the whole compares at once.
  friend bool operator==(const InlineId& a, const InlineId& b) {
    return std::memcmp(&a, &b, sizeof(InlineId)) == 0;
  }

  struct Hash {
    size_t operator()(const InlineId& id) const { return std::hash<std::string_view>{}(id.view()); }
  };

 private:
  uint8_t size_ = 0;
  char data_[kCapacity] = {};
};

static_assert(sizeof(InlineId) == 28);

}  // namespace tfzo

#endif  // TFZO_AUTH_INLINE_ID_H_
