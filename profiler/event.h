// One profiler event (the struct is public: hetero/profile.h).
#pragma once

#include "hetero/profile.h"
