// SessionOptions from the command line flags that `run` and `compile` share.
#pragma once

#include "hetero/session.h"
#include "hetero/status.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

// SessionOptions from the flags; a malformed flag is a usage error (FailedPrecondition).
StatusOr<SessionOptions> SessionOptionsFromFlags(const Flags& flags);

}  // namespace hetero::cli
