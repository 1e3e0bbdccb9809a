// The self-contained HTML report: the data inline as JSON and a small script that draws
// three SVG charts (latency distribution, per-op breakdown, roofline) with no network.
#include <algorithm>
#include <cstdio>
#include <map>

#include "profiler/report.h"
#include "profiler/report_html_script.h"

namespace hetero::profiler {

namespace {

constexpr size_t kMaxSamplesShown = 2000;

std::string Array(const std::vector<double>& v, size_t cap) {
  std::string out = "[";
  for (size_t i = 0; i < v.size() && i < cap; ++i) out += (i ? "," : "") + JsonNumber(v[i]);
  return out + "]";
}

std::string ResultData(const BenchResult& r) {
  std::map<std::string, double> by_op;
  std::string points = "[";
  for (const OpRow& o : r.ops) {
    if (o.status != "run") continue;
    by_op[o.op] += o.time_ms;
    if (o.flops > 0 && o.bytes > 0 && o.time_ms > 0) {
      points += std::string(points.size() > 1 ? "," : "") + "{\"n\":" + JsonQuote(o.node) +
                ",\"d\":" + JsonQuote(o.device) + ",\"x\":" + JsonNumber(o.flops / o.bytes) +
                ",\"y\":" + JsonNumber(o.gflops_per_s) + "}";
    }
  }
  std::string ops = "[";
  for (const auto& [op, ms] : by_op) {
    ops +=
        std::string(ops.size() > 1 ? "," : "") + "[" + JsonQuote(op) + "," + JsonNumber(ms) + "]";
  }
  return "{\"label\":" + JsonQuote(r.label) + ",\"simulated\":" + (r.simulated ? "true" : "false") +
         ",\"metric\":" + JsonQuote(r.primary_name()) +
         ",\"samples\":" + Array(r.primary_ms(), kMaxSamplesShown) + ",\"ops\":" + ops +
         "],\"points\":" + points + "]}";
}

std::string DeviceData(const DeviceInfo& d) {
  auto f32 = [](const std::map<std::string, double>& m) {
    auto it = m.find("f32");
    return it == m.end() ? 0.0 : it->second / 1e9;
  };
  return "{\"name\":" + JsonQuote(d.name) + ",\"simulated\":" + (d.simulated ? "true" : "false") +
         ",\"peak\":" + JsonNumber(f32(d.peak_flops)) +
         ",\"bw\":" + JsonNumber(d.memory_bandwidth / 1e9) +
         ",\"mpeak\":" + JsonNumber(f32(d.measured_flops)) +
         ",\"mbw\":" + JsonNumber(d.measured_bandwidth / 1e9) + "}";
}

std::string DataJson(const BenchReport& report) {
  std::string results = "[", devices = "[";
  for (size_t i = 0; i < report.results.size(); ++i) {
    results += (i ? "," : "") + ResultData(report.results[i]);
  }
  for (size_t i = 0; i < report.environment.devices.size(); ++i) {
    devices += (i ? "," : "") + DeviceData(report.environment.devices[i]);
  }
  std::string json = "{\"model\":" + JsonQuote(report.model) + ",\"results\":" + results +
                     "],\"devices\":" + devices + "]}";
  // Never let the data close the script element.
  for (size_t pos = 0; (pos = json.find("</", pos)) != std::string::npos; pos += 3) {
    json.replace(pos, 2, "<\\/");
  }
  return json;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

// Peak RSS and every device's memory peak, one row per result and device.
std::string MemoryTable(const BenchReport& report) {
  std::string out =
      "<table border=\"1\" cellpadding=\"4\"><tr><th>result</th><th>peak RSS MB</th>"
      "<th>device</th><th>device memory peak MB</th><th>in use at end MB</th><th>counts"
      "</th></tr>\n";
  auto mb = [](double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", bytes / 1048576.0);
    return std::string(buf);
  };
  for (const BenchResult& r : report.results) {
    const std::string head = "<tr><td>" + Escape(r.label) + (r.simulated ? " (simulated)" : "") +
                             "</td><td>" + mb(r.peak_rss_mb * 1048576.0) + "</td>";
    if (r.device_memory.empty()) out += head + "<td colspan=\"4\">not recorded</td></tr>\n";
    for (const DeviceMemory& m : r.device_memory) {
      std::string covers;
      for (const std::string& c : m.covers) covers += (covers.empty() ? "" : ", ") + c;
      out += head + "<td>" + Escape(m.device) + "</td>" +
             (m.available ? "<td>" + mb(m.peak_bytes) + "</td><td>" + mb(m.bytes_in_use) +
                                "</td><td>" + Escape(covers) + "</td>"
                          : "<td colspan=\"3\">n/a: " + Escape(m.reason) + "</td>") +
             "</tr>\n";
    }
  }
  return out + "</table>\n";
}

}  // namespace

std::string BenchHtml(const BenchReport& report) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>hetero bench: " +
      Escape(report.model) +
      "</title>\n<style>body{font:14px sans-serif;margin:2em;max-width:1100px}"
      "svg{border:1px solid #ccc;margin:.5em 0;background:#fff}"
      "pre{background:#f6f6f6;padding:1em;overflow:auto}.sim{color:#a40}</style>\n"
      "</head><body>\n<h1>hetero bench: " +
      Escape(report.model) +
      "</h1>\n<p>Charts are drawn by the script below from the data embedded in this page; it "
      "needs no network. Results with a simulated device are marked <span class=\"sim\">"
      "(simulated)</span>: their device times are predictions.</p>\n"
      "<h2>Latency distribution</h2><div id=\"latency\"></div>\n"
      "<h2>Per-op breakdown</h2><div id=\"ops\"></div>\n"
      "<h2>Roofline</h2><div id=\"roofline\"></div>\n"
      "<h2>Memory</h2>\n" +
      MemoryTable(report) + "<h2>Report</h2><pre>" + Escape(BenchMarkdown(report)) +
      "</pre>\n<script id=\"data\" type=\"application/json\">" + DataJson(report) +
      "</script>\n<script>\n" + kReportScript + "</script>\n</body></html>\n";
  return html;
}

}  // namespace hetero::profiler
