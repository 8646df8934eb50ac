// RapidCheck's GoogleTest integration, included in the order it needs. Property tests include this
// instead of <rapidcheck/gtest.h>. A failure prints the seed; rerun with
//   RC_PARAMS="seed=N" ctest -R NAME     (or noshrink=1, max_success=M)
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
