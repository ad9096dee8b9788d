using System.Collections;
using System.Runtime.InteropServices;

namespace Strata.Cli;

/// <summary>
/// The CLI runs with tiered compilation off — a simulation is one hot loop, fastest fully optimised
/// from the start — but <c>strata serve</c> spends 12% less CPU per proxied request with it on
/// (dynamic PGO over .NET's HTTP path; docs/benchmarks.md). The runtime reads the setting once, at
/// start, so before anything else <c>strata serve</c> replaces its own process image with one that has
/// <c>DOTNET_TieredCompilation=1</c>: <c>execve</c> keeps the PID, the open stdio and the signal
/// handling a supervisor sees. A value the user already set is kept; where exec is unavailable
/// (Windows) or fails, serve runs on as it is.
/// </summary>
internal static partial class ServeProcess
{
    public const string TieredCompilationVariable = "DOTNET_TieredCompilation";

    /// <summary>For <c>strata serve …</c> with the variable unset: does not return when the exec succeeds.</summary>
    public static void EnsureTieredCompilation(string[] args)
    {
        if (args is not ["serve", ..] || Environment.GetEnvironmentVariable(TieredCompilationVariable) is not null
            || OperatingSystem.IsWindows() || Environment.ProcessPath is not { } host)
            return;
        // Under the dotnet muxer ("dotnet strata.dll serve …") the app's dll comes before the arguments.
        var app = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, Environment.GetCommandLineArgs()[0]] : new[] { host };
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").Append($"{TieredCompilationVariable}=1");
        Console.Out.Flush();
        execve(host, [.. app, .. args, null], [.. environment, null]);
        Console.Error.WriteLine($"strata serve: could not restart with {TieredCompilationVariable}=1 (errno {Marshal.GetLastPInvokeError()}); serving without tiered compilation.");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execve(string path, string?[] argv, string?[] envp);
}
