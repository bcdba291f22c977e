#ifndef TFZO_SERVICE_VALIDATION_H_
#define TFZO_SERVICE_VALIDATION_H_

#include <string_view>

#include "core/status.h"

namespace tfzo {

// Rules shared by every service for text a person typed. Messages start with the field's
// name ("name: ..."), which the console uses to show them next to the field.

// Number of Unicode code points in valid UTF-8.
size_t CodePoints(std::string_view utf8);

// `min`..`max` code points; no control characters (newlines and tabs too when !multiline).
Status CheckText(std::string_view field, std::string_view value, size_t min, size_t max,
                 bool multiline = false);

// A plausible email address: one '@' with text on both sides, no spaces, at most 254 bytes.
Status CheckEmail(std::string_view field, std::string_view email);

}  // namespace tfzo

#endif  // TFZO_SERVICE_VALIDATION_H_
