// Helpers shared by `hetero run`, `hetero bench` and `hetero calibrate`: inputs bound to a
// Session, the environment block, peak resident memory, stored calibrations.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hetero/session.h"
#include "hetero/status.h"
#include "profiler/bench_result.h"

namespace hetero::cli {

// Inputs from --input NAME=FILE.npy (`input_flags`); for a "builtin:NAME" model, inputs
// not given are generated with the shape "BxS" of `shape` (else the built-in's default).
// A malformed flag is a FailedPrecondition (usage error); a missing input of a file
// model is reported by Session::Run, which checks every input.
StatusOr<NamedTensors> BindSessionInputs(const std::string& model_spec,
                                         const std::vector<std::string>& input_flags,
                                         const std::string& shape);

// "A,B,C" split on commas (empty parts dropped).
std::vector<std::string> SplitList(const std::string& text);

// One line a person can read for where a session's nodes run: "cpu" or
// "npu-sim:rngd+cpu (3 segments)".
// Device names are given as `renames` says (see DeviceRenames).
std::string DescribeSessionPlacement(const Session& session,
                                     const std::map<std::string, std::string>& renames = {});

profiler::DeviceInfo DeviceInfoOf(const SessionDevice& device);

// The cpu device's peaks are for all the host's cores; a run with --threads N (fewer)
// can reach only N of them: its compute peaks (datasheet and measured) scaled to N /
// cores, for the per-op attainment. Bandwidth is left whole (one core cannot use all of
// it either, but by how much is not known).
void ScaleToThreads(int threads, profiler::DeviceInfo* info);

// The session's device names ("npu-sim:2") mapped to the names the user gave
// ("npu-sim:rngd"), position by position; reports and traces use the latter.
std::map<std::string, std::string> DeviceRenames(const Session& session,
                                                 const std::vector<std::string>& requested);
// Renames event tracks by `renames` (names not in it are kept).
void RenameTracks(const std::map<std::string, std::string>& renames,
                  std::vector<profiler::Event>* events);

// Commit, versions, compiler, OS, CPU model and cores, UTC time; devices are added by
// the caller.
profiler::Environment CollectEnvironment(const std::vector<std::string>& argv);

// Peak resident set size of this process so far, MB (getrusage).
double PeakRssMb();

// Where `hetero calibrate` stores a device's measured roofs:
// $HETERO_CACHE_DIR/calibration/<device>.json, else ~/.cache/hetero/calibration/...
std::string CalibrationPath(const std::string& device);
// Fills measured_flops/measured_bandwidth from a stored calibration, if there is one.
void LoadCalibration(profiler::DeviceInfo* device);

}  // namespace hetero::cli
