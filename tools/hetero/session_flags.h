// SessionOptions from the command line flags that `run` and `compile` share.
#pragma once

#include "hetero/session.h"
#include "hetero/status.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

// SessionOptions from the flags; a malformed flag is a usage error (FailedPrecondition),
// an unreadable --calibrate file an InvalidArgument.
StatusOr<SessionOptions> SessionOptionsFromFlags(const Flags& flags);

// --quantize: "" when absent, "int8"; any other value is a usage error (FailedPrecondition).
StatusOr<std::string> QuantizeFromFlags(const Flags& flags);

}  // namespace hetero::cli
