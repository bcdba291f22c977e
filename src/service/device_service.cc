#include "service/device_service.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <vector>

#include "core/digest.h"
#include "service/validation.h"

namespace tfzo {
namespace {

constexpr size_t kDeviceCodeBytes = 32;
constexpr size_t kMaxClientName = 100;
constexpr size_t kMaxHostname = 253;  // a DNS name's limit
constexpr size_t kMaxKeyName = 100;   // KeyService's

std::string Hex(const uint8_t* bytes, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

std::optional<std::vector<uint8_t>> FromHex(const std::string& hex) {
  std::vector<uint8_t> bytes(hex.size() / 2);
  size_t length = 0;
  if (sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &length,
                     nullptr) != 0) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

// The key that seals a request's private key: derived from the device code, which the store
// never sees (it keeps Sha256 of the code alone, of a different input), so a copy of the
// database cannot open it.
Digest SealKey(std::string_view device_code) {
  static_assert(crypto_secretbox_KEYBYTES == std::tuple_size_v<Digest>);
  return Sha256("2501 device code seal\n" + std::string(device_code));
}

// A new box for the request: its public key, and its private key sealed with SealKey (hex).
void NewBox(Random& random, std::string_view device_code, DeviceCodeRecord& request) {
  std::array<uint8_t, crypto_box_PUBLICKEYBYTES> public_key;
  std::array<uint8_t, crypto_box_SECRETKEYBYTES> private_key;
  crypto_box_keypair(public_key.data(), private_key.data());
  Digest key = SealKey(device_code);
  std::vector<uint8_t> sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                              private_key.size());
  random.Fill(std::span<uint8_t>(sealed.data(), crypto_secretbox_NONCEBYTES));
  crypto_secretbox_easy(sealed.data() + crypto_secretbox_NONCEBYTES, private_key.data(),
                        private_key.size(), sealed.data(), key.data());
  sodium_memzero(private_key.data(), private_key.size());
  sodium_memzero(key.data(), key.size());
  request.public_key = Hex(public_key.data(), public_key.size());
  request.sealed_private_key = Hex(sealed.data(), sealed.size());
}

// The key's value sealed to the request's public key (hex), or kInternal.
Result<std::string> SealValue(const DeviceCodeRecord& request, const Secret& value) {
  const auto public_key = FromHex(request.public_key);
  if (!public_key || public_key->size() != crypto_box_PUBLICKEYBYTES) {
    return Internal("device request without a public key");
  }
  std::vector<uint8_t> sealed(crypto_box_SEALBYTES + value.reveal().size());
  crypto_box_seal(sealed.data(), reinterpret_cast<const uint8_t*>(value.reveal().data()),
                  value.reveal().size(), public_key->data());
  return Hex(sealed.data(), sealed.size());
}

// The key's value, opened with the request's private key, itself opened with the device code.
Result<Secret> OpenValue(std::string_view device_code, const DeviceCodeRecord& request) {
  const auto public_key = FromHex(request.public_key);
  const auto sealed_key = FromHex(request.sealed_private_key);
  const auto sealed = FromHex(request.sealed_secret.value_or(""));
  if (!public_key || public_key->size() != crypto_box_PUBLICKEYBYTES || !sealed_key ||
      sealed_key->size() !=
          crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + crypto_box_SECRETKEYBYTES ||
      !sealed || sealed->size() < crypto_box_SEALBYTES) {
    return Internal("sealed key value unreadable");
  }
  Digest key = SealKey(device_code);
  std::array<uint8_t, crypto_box_SECRETKEYBYTES> private_key;
  const bool key_opened =
      crypto_secretbox_open_easy(
          private_key.data(), sealed_key->data() + crypto_secretbox_NONCEBYTES,
          sealed_key->size() - crypto_secretbox_NONCEBYTES, sealed_key->data(), key.data()) == 0;
  sodium_memzero(key.data(), key.size());
  std::string value(sealed->size() - crypto_box_SEALBYTES, '\0');
  const bool opened =
      key_opened &&
      crypto_box_seal_open(reinterpret_cast<uint8_t*>(value.data()), sealed->data(), sealed->size(),
                           public_key->data(), private_key.data()) == 0;
  sodium_memzero(private_key.data(), private_key.size());
  if (!opened) return Internal("sealed key value does not open");
  return Secret(std::move(value));
}

// "2501 CLI on HOSTNAME", the host name cut (at a character) to keep within a key name's length.
std::string DefaultKeyName(const std::string& hostname) {
  if (hostname.empty()) return "2501 CLI";
  std::string name = "2501 CLI on " + hostname;
  while (CodePoints(name) > kMaxKeyName) {
    while (!name.empty() && (static_cast<uint8_t>(name.back()) & 0xC0) == 0x80) name.pop_back();
    name.pop_back();  // the character's first byte
  }
  return name;
}

Status Expired() {
  return Status(StatusCode::kExpiredToken,
                "This device code expired or was already used: run the login again.");
}

}  // namespace

std::string DeviceService::VerificationUri() const { return deps_.console_url + "/#/device"; }

std::optional<std::string> DeviceService::NormalizeUserCode(std::string_view typed) {
  while (!typed.empty() && typed.front() == ' ') typed.remove_prefix(1);
  while (!typed.empty() && typed.back() == ' ') typed.remove_suffix(1);
  std::string letters;
  for (size_t i = 0; i < typed.size(); ++i) {
    char c = typed[i];
    if (c == '-' && i == 4 && typed.size() == 9) continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (kUserCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    letters.push_back(c);
  }
  if (letters.size() != 8) return std::nullopt;
  return letters.substr(0, 4) + "-" + letters.substr(4);
}

std::string_view DeviceService::StatusAt(const DeviceCodeRecord& request, Time now) {
  if (request.status == DeviceCodeRecord::kUsed) return DeviceCodeRecord::kUsed;
  if (now >= request.expires_at) return "expired";
  return request.status;
}

Result<DeviceService::Started> DeviceService::Start(std::string_view client_name,
                                                    std::string_view hostname,
                                                    const std::string& ip) {
  ASSIGN_OR_RETURN(std::string name, CheckText("client_name", client_name, 0, kMaxClientName));
  ASSIGN_OR_RETURN(std::string host, CheckText("hostname", hostname, 0, kMaxHostname));
  if (limiters_.codes != nullptr) {
    const auto wait = limiters_.codes->RetryAfter(ip);
    if (wait.count() > 0) {
      return RateLimited(fmt::format("Too many device codes from this address: try again in {} "
                                     "minutes.",
                                     (wait.count() + 59) / 60),
                         static_cast<int>(wait.count()));
    }
    limiters_.codes->RecordFailure(ip);
  }
  const Time now = deps_.clock.Now();
  Started started;
  started.request = DeviceCodeRecord{.client_name = std::move(name),
                                     .hostname = std::move(host),
                                     .ip = ip,
                                     .created_at = now,
                                     .expires_at = now + kLifetime,
                                     .interval_seconds = kInterval.count()};
  // A user code another live request has (one in millions while codes are few) draws again.
  for (int attempt = 0;; ++attempt) {
    std::array<uint8_t, kDeviceCodeBytes> bytes;
    deps_.random.Fill(bytes);
    started.device_code = Secret(Hex(bytes.data(), bytes.size()));
    sodium_memzero(bytes.data(), bytes.size());
    std::array<char, 8> letters;
    FillFromAlphabet(deps_.random, kUserCodeAlphabet, letters);
    started.user_code = std::string(letters.data(), 4) + "-" + std::string(letters.data() + 4, 4);
    started.request.device_digest = Sha256(started.device_code.reveal());
    started.request.user_digest = Sha256(started.user_code);
    NewBox(deps_.random, started.device_code.reveal(), started.request);
    const Status created = deps_.store.CreateDeviceCode(started.request);
    if (created.ok()) break;
    if (created.code() != StatusCode::kConflict || attempt == 4) return created;
  }
  started.verification_uri = VerificationUri();
  started.verification_uri_complete = started.verification_uri + "?code=" + started.user_code;
  return started;
}

Result<KeyService::Issued> DeviceService::Poll(std::string_view device_code) {
  if (device_code.empty()) return InvalidRequest("device_code: required, a non-empty string");
  const Time now = deps_.clock.Now();
  auto polled = deps_.store.PollDeviceCode(Sha256(device_code), now, kSlowDown);
  if (!polled.ok()) {
    if (polled.status().code() == StatusCode::kNotFound) return Expired();
    return polled.status();
  }
  const DeviceCodeRecord& request = polled->code;
  const std::string_view status = StatusAt(request, now);
  if (status == DeviceCodeRecord::kUsed || status == "expired") return Expired();
  if (status == DeviceCodeRecord::kDenied) {
    return Status(StatusCode::kAccessDenied, "The request was denied in the console.");
  }
  if (status == DeviceCodeRecord::kPending) {
    if (polled->too_soon) {
      return Status(StatusCode::kSlowDown,
                    fmt::format("Polled too soon: wait {} seconds between polls.",
                                request.interval_seconds + kSlowDown.count()));
    }
    return Status(StatusCode::kAuthorizationPending,
                  "Waiting for the code to be approved in the console.");
  }
  if (!request.sealed_secret || !request.key_id) return Internal("approved without a key");
  ASSIGN_OR_RETURN(Secret value, OpenValue(device_code, request));
  ASSIGN_OR_RETURN(KeyRecord key, deps_.store.FindKey(*request.key_id));
  return KeyService::Issued{.key = std::move(key), .secret = std::move(value)};
}

Status DeviceService::CheckGuesses(const Caller& caller) {
  if (limiters_.guesses == nullptr) return Status::Ok();
  const auto wait = std::max(limiters_.guesses->RetryAfter("account:" + caller.account_id),
                             limiters_.guesses->RetryAfter("address:" + caller.ip));
  if (wait.count() == 0) return Status::Ok();
  return RateLimited(
      fmt::format("Too many unknown codes: try again in {} minutes.", (wait.count() + 59) / 60),
      static_cast<int>(wait.count()));
}

void DeviceService::CountGuess(const Caller& caller) {
  if (limiters_.guesses == nullptr) return;
  limiters_.guesses->RecordFailure("account:" + caller.account_id);
  limiters_.guesses->RecordFailure("address:" + caller.ip);
}

Result<DeviceCodeRecord> DeviceService::Find(const Caller& caller, std::string_view user_code) {
  RETURN_IF_ERROR(CheckGuesses(caller));
  const auto code = NormalizeUserCode(user_code);
  auto found = code ? deps_.store.FindDeviceCode(Sha256(*code))
                    : Result<DeviceCodeRecord>(NotFound("no such code"));
  const Time now = deps_.clock.Now();
  if (!found.ok() || StatusAt(*found, now) == DeviceCodeRecord::kUsed ||
      StatusAt(*found, now) == "expired") {
    if (found.ok() || found.status().code() == StatusCode::kNotFound) {
      CountGuess(caller);
      return NotFound("No such code, or it expired or was used: check the code the CLI shows.");
    }
    return found.status();
  }
  return found;
}

Result<DeviceCodeRecord> DeviceService::Pending(const Caller& caller, std::string_view user_code) {
  ASSIGN_OR_RETURN(DeviceCodeRecord request, Find(caller, user_code));
  if (request.status != DeviceCodeRecord::kPending) {
    return NotFound("This code was already approved or denied.");
  }
  return request;
}

Result<KeyRecord> DeviceService::Approve(const Caller& caller, std::string_view user_code,
                                         Approval approval) {
  ASSIGN_OR_RETURN(DeviceCodeRecord request, Pending(caller, user_code));
  KeyService::CreateRequest create{.name = approval.name.value_or(DefaultKeyName(request.hostname)),
                                   .description = std::move(approval.description),
                                   .expires_at = std::nullopt,
                                   .org_id = std::move(approval.org_id),
                                   .permissions = approval.permissions,
                                   .allowed_ips = std::move(approval.allowed_ips)};
  if (approval.expires_at) {
    create.expires_at = *approval.expires_at;
  } else {
    const int days =
        std::min(kDefaultKeyDays, keys_.options().max_lifetime_days.value_or(kDefaultKeyDays));
    create.expires_at = deps_.clock.Now() + std::chrono::days(days);
  }
  ASSIGN_OR_RETURN(KeyService::Issued issued, keys_.Create(caller, std::move(create)));
  // The value leaves this function only sealed: the console never sees it.
  auto sealed = SealValue(request, issued.secret);
  Status decided = sealed.status();
  if (sealed.ok()) {
    DeviceCodeRecord decision = request;
    decision.status = DeviceCodeRecord::kApproved;
    decision.account_id = caller.account_id;
    decision.key_id = issued.key.id;
    decision.sealed_secret = std::move(*sealed);
    decision.decided_at = deps_.clock.Now();
    decided = deps_.store.DecideDeviceCode(request.user_digest, decision);
  }
  if (!decided.ok()) {
    // Decided elsewhere meanwhile, or expired: the key nobody will receive goes at once.
    (void)keys_.Revoke(caller, issued.key.id);
    if (decided.code() == StatusCode::kNotFound) {
      return NotFound("This code expired, or was approved or denied meanwhile.");
    }
    return decided;
  }
  return issued.key;
}

Status DeviceService::Deny(const Caller& caller, std::string_view user_code) {
  ASSIGN_OR_RETURN(DeviceCodeRecord request, Pending(caller, user_code));
  DeviceCodeRecord decision = request;
  decision.status = DeviceCodeRecord::kDenied;
  decision.account_id = caller.account_id;
  decision.decided_at = deps_.clock.Now();
  RETURN_IF_ERROR(deps_.store.DecideDeviceCode(request.user_digest, decision));
  return deps_.store.AppendEvent(deps_.Event("device.denied", caller, caller.account_id));
}

}  // namespace tfzo
