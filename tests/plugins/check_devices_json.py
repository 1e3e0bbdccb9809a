"""`hetero devices --json` is valid JSON listing devices, their plugins and broken plugins.

Run by ctest: check_devices_json.py --hetero BIN --null LIB.so --modules DIR
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

DEVICE_KEYS = {"name", "kind", "index", "device_name", "vendor", "driver_version",
               "memory_bytes", "max_allocation_bytes", "peak_flops", "memory_bandwidth",
               "host_link_bandwidth", "launch_overhead_ns", "capabilities", "plugin"}
PLUGIN_KEYS = {"name", "version", "path", "builtin", "abi_major", "abi_minor",
               "negotiated_minor"}
DTYPES = {"f32", "f16", "bf16", "f8e4m3", "i64", "i32", "i8", "u8", "bool"}


def run(hetero, args, env):
    proc = subprocess.run([hetero, "devices"] + args, capture_output=True, text=True,
                          env=env, timeout=60)
    return proc


def check(condition, message):
    if not condition:
        print("FAIL:", message)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hetero", required=True)
    parser.add_argument("--null", required=True)
    parser.add_argument("--modules", required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        garbage = os.path.join(tmp, "libhetero_plugin_garbage.so")
        with open(garbage, "w") as f:
            f.write("not a shared object \"quoted\" \\ \n")
        env = dict(os.environ)
        env["HETERO_PLUGIN_PATH"] = args.modules + ":" + tmp
        proc = run(args.hetero, ["--json", "--plugin", args.null], env)
        check(proc.returncode == 0, "exit status %d: %s" % (proc.returncode, proc.stderr))
        try:
            doc = json.loads(proc.stdout)
        except json.JSONDecodeError as e:
            check(False, "not valid JSON (%s):\n%s" % (e, proc.stdout))

        check(doc["abi"]["major"] == 1, "abi major")
        names = [d["name"] for d in doc["devices"]]
        for expected in ("null:0", "hostmem:0", "hostmem:1"):
            check(expected in names, "%s missing from %s" % (expected, names))
        for device in doc["devices"]:
            check(DEVICE_KEYS <= set(device), "device keys: %s" % sorted(device))
            check(PLUGIN_KEYS <= set(device["plugin"]), "plugin keys: %s" % device["plugin"])
            check(set(device["peak_flops"]) == DTYPES, "peak_flops dtypes")
            check(device["plugin"]["abi_major"] == 1, "plugin abi major")
        null = doc["devices"][names.index("null:0")]
        check(null["plugin"]["path"] == args.null, "null plugin path %s" % null["plugin"]["path"])
        check(null["plugin"]["builtin"] is False, "null is not built-in")
        check(null["device_name"] == "null device", "null device name")
        hostmem = doc["devices"][names.index("hostmem:1")]
        check(hostmem["peak_flops"]["bf16"] == 2e9, "hostmem bf16 peak")
        check(hostmem["capabilities"] == ["events", "device_copy", "host_memory"], "caps")

        broken = {os.path.basename(b["source"]): b["reason"] for b in doc["broken_plugins"]}
        expect = {
            "libhetero_plugin_test_wrong_major.so": "was built for ABI 2.x; this hetero speaks 1.x",
            "libhetero_plugin_test_missing_entry.so": "required entry compile is NULL",
            "libhetero_plugin_test_no_symbol.so": "not a hetero plugin",
            "libhetero_plugin_test_create_fails.so": "the test device is busy",
            "libhetero_plugin_garbage.so": "cannot load",
        }
        for name, reason in expect.items():
            check(name in broken, "%s not among broken plugins %s" % (name, sorted(broken)))
            check(reason in broken[name], "%s: reason %r lacks %r" % (name, broken[name], reason))

        # The cpu device names the kernels it runs; a forced path shows there.
        cpu = doc["devices"][names.index("cpu")]
        check(cpu["driver_version"].startswith("hetero-cpu "), cpu["driver_version"])
        portable_env = dict(env, HETERO_CPU_ISA="portable")
        forced = json.loads(run(args.hetero, ["--json"], portable_env).stdout)
        forced_cpu = [d for d in forced["devices"] if d["name"] == "cpu"][0]
        check(forced_cpu["driver_version"].endswith("(portable, bf16 none, int8 portable)"),
              "forced portable path: %s" % forced_cpu["driver_version"])

        text = run(args.hetero, ["--plugin", args.null], env)
        check(text.returncode == 0, "text mode exit status %d" % text.returncode)
        check("null:0" in text.stdout and "broken plugins" in text.stdout, text.stdout)
        usage = run(args.hetero, ["extra"], env)
        check(usage.returncode == 2, "a positional argument is a usage error")
        missing = run(args.hetero, ["--plugin"], env)
        check(missing.returncode == 2, "--plugin without a value is a usage error")
    print("OK: %d devices, %d broken plugins" % (len(names), len(broken)))


if __name__ == "__main__":
    main()
