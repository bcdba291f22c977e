#ifndef TFZO_HTTP_DEVICE_ROUTES_H_
#define TFZO_HTTP_DEVICE_ROUTES_H_

#include "core/time.h"
#include "http/routes.h"
#include "service/device_service.h"
#include "service/key_service.h"

namespace tfzo::http {

// What the device authorization routes call. References; they outlive the routes.
struct DeviceServices {
  DeviceService& device;
  KeyService& keys;
  const Clock& clock;
};

// Device authorization (docs/spec/API.md "Device authorization"): the CLI's two routes without
// a credential (POST /api/v1/device/code, POST /api/v1/device/token), the console's
// (GET /api/device/{user_code}, POST .../approve, POST .../deny), and a key revoking itself
// (POST /api/v1/me/revoke, the CLI's logout).
void AddDeviceRoutes(Routes& routes, const DeviceServices& svc);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_DEVICE_ROUTES_H_
