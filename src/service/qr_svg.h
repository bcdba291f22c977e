#ifndef TFZO_SERVICE_QR_SVG_H_
#define TFZO_SERVICE_QR_SVG_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace tfzo {

// `text` as a QR code (libqrencode, error correction M, 8-bit mode) drawn as a small SVG
// document: one path of dark modules on a white square with a 4-module quiet zone, black on
// white whatever the page's theme (scanners need the contrast). Only presentation attributes,
// no style or script, so the console can insert it under its CSP. Thread-safe.
Result<std::string> QrSvg(std::string_view text);

}  // namespace tfzo

#endif  // TFZO_SERVICE_QR_SVG_H_
