// The script of the HTML report (kept apart from the page's C++).
#pragma once

namespace hetero::profiler {

// Reads the JSON in <script id="data">, draws the SVG charts into #latency, #ops and
// #roofline, then sets data-rendered="N" on <body> (N charts drawn) for tests.
extern const char kReportScript[];

}  // namespace hetero::profiler
