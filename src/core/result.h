#ifndef TFZO_CORE_RESULT_H_
#define TFZO_CORE_RESULT_H_

#include <cassert>
#include <utility>
#include <variant>

#include "core/status.h"

namespace tfzo {

// Either a value or a non-OK Status. The error path of every fallible function that
// returns something. Value type.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<1>, std::move(value)) {}        // NOLINT: implicit
  Result(Status status) : v_(std::in_place_index<0>, std::move(status)) {  // NOLINT: implicit
    assert(!std::get<0>(v_).ok());
  }

  bool ok() const { return v_.index() == 1; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<0>(v_);
  }

  T& value() & { return std::get<1>(v_); }
  const T& value() const& { return std::get<1>(v_); }
  T&& value() && { return std::get<1>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace tfzo

#define TFZO_CONCAT_INNER(a, b) a##b
#define TFZO_CONCAT(a, b) TFZO_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)          \
  do {                                 \
    ::tfzo::Status status_ = (expr);   \
    if (!status_.ok()) return status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F())`: binds F()'s value, or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(TFZO_CONCAT(result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#endif  // TFZO_CORE_RESULT_H_
