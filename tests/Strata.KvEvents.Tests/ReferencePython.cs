using System.Diagnostics;

namespace Strata.KvEvents.Tests;

/// <summary>
/// A python3 that has pyzmq and msgpack, for the reference decoder: <c>STRATA_PYTHON</c> if set, else
/// <c>python3</c> on the PATH, else Debian's <c>/usr/bin/python3</c> (a pyenv shim on the PATH may lack Debian's
/// modules). Where <c>STRATA_REQUIRE_PYTHON_ZMQ=1</c> (CI sets it), missing modules are a failure, never a skip.
/// </summary>
internal static class ReferencePython
{
    public const string Missing = "python3 with the zmq and msgpack modules is not installed: `apt-get install python3-zmq python3-msgpack` (Debian), or set STRATA_PYTHON to an interpreter that has them";

    public static string? Interpreter()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("STRATA_PYTHON"), "python3", "/usr/bin/python3" };
        var found = candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && HasModules(c));
        if (found is null && Environment.GetEnvironmentVariable("STRATA_REQUIRE_PYTHON_ZMQ") == "1")
            throw new InvalidOperationException(Missing + " (STRATA_REQUIRE_PYTHON_ZMQ=1 forbids skipping this test).");
        return found;
    }

    private static bool HasModules(string python)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(python, ["-c", "import zmq, msgpack"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            process.WaitForExit(TimeSpan.FromSeconds(20));
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
