// Status and StatusOr<T>: the whole error vocabulary of hetero.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hetero {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // bad input: a model, a tensor, a flag
  kNotFound = 2,         // a file, an input, a device that is not there
  kUnimplemented = 3,    // a valid request hetero does not support
  kOutOfRange = 4,       // an index outside its bounds
  kResourceExhausted = 5,
  kFailedPrecondition = 6,
  kDataLoss = 7,  // a truncated or corrupt file
  kInternal = 8,  // a broken invariant inside hetero
  kUnavailable = 9,
  kCancelled = 10,
};

std::string_view StatusCodeName(StatusCode code);

// A Status is OK (one null pointer) or carries a code and a message.
// Copying an error copies its message; OK costs one compare.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "invalid argument: message", or "OK".
  std::string ToString() const;
  // Prefixes the message with context: "node 'x': " + message.
  Status WithContext(std::string_view context) const;
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status Unimplemented(std::string message);
Status OutOfRange(std::string message);
Status ResourceExhausted(std::string message);
Status FailedPrecondition(std::string message);
Status DataLoss(std::string message);
Status Internal(std::string message);

// Holds a T or an error Status (never an OK Status).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : value_(value) {}
  StatusOr(T&& value) : value_(std::move(value)) {}
  StatusOr(Status status) : value_(std::move(status)) {
    if (std::get<Status>(value_).ok()) value_ = Internal("StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status() : std::get<Status>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> value_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
inline Status AsStatus(Status&& s) { return std::move(s); }
template <typename T>
Status AsStatus(const StatusOr<T>& s) {
  return s.status();
}
}  // namespace internal

}  // namespace hetero

#define HETERO_CONCAT_INNER_(a, b) a##b
#define HETERO_CONCAT_(a, b) HETERO_CONCAT_INNER_(a, b)

#define HETERO_RETURN_IF_ERROR(expr)                                      \
  do {                                                                    \
    ::hetero::Status hetero_status_ = ::hetero::internal::AsStatus(expr); \
    if (!hetero_status_.ok()) return hetero_status_;                      \
  } while (0)

#define HETERO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define HETERO_ASSIGN_OR_RETURN(lhs, expr) \
  HETERO_ASSIGN_OR_RETURN_IMPL_(HETERO_CONCAT_(hetero_statusor_, __LINE__), lhs, expr)
