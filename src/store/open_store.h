#ifndef TFZO_STORE_OPEN_STORE_H_
#define TFZO_STORE_OPEN_STORE_H_

#include <memory>
#include <string_view>

#include "core/result.h"
#include "model/store.h"

namespace tfzo {

// The one place that picks an implementation from a --db URL: "sqlite:PATH" (":memory:"
// allowed) or "postgresql://...". Applies pending migrations before returning.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

}  // namespace tfzo

#endif  // TFZO_STORE_OPEN_STORE_H_
