namespace Strata.Cli.Tests;

/// <summary>Runs <c>strata</c> in process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = StrataCli.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    public static string TempDir() => Directory.CreateTempSubdirectory("strata-cli").FullName;

    public static string WriteFile(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
