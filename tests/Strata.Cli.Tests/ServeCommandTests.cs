namespace Strata.Cli.Tests;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("models:\n  - name: m\n    backends: [http://127.0.0.1:9001]\n    queue: {name: sjf-aging, max_lenght: 10}\n", "models[0].queue.max_lenght: 'sjf-aging' has no parameter 'max_lenght'")]
    [InlineData("models:\n  - name: m\n    backends: [localhost:9001]\n", "models[0].backends[0]: 'localhost:9001' is not an http(s) URL")]
    [InlineData("listen: http://127.0.0.1:8080\n", "models: expected a list of models")]
    public void A_bad_config_exits_2_naming_the_field_before_serving(string yaml, string message)
    {
        var file = CliRunner.WriteFile(CliRunner.TempDir(), "gateway.yaml", yaml);
        var (exit, output, error) = CliRunner.Run("serve", "--config", file);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        Assert.DoesNotContain("listening", output);
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var (exit, _, error) = CliRunner.Run("serve", "--config", "no-such-gateway.yaml");
        Assert.Equal(2, exit);
        Assert.Contains("--config: no file named", error);
    }

    [Fact]
    public void A_listen_port_in_use_exits_2_with_one_line()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var file = CliRunner.WriteFile(CliRunner.TempDir(), "gateway.yaml", $"listen: http://127.0.0.1:{port}\nmodels:\n  - name: m\n    backends: [http://127.0.0.1:9001]\n");

        var (exit, output, error) = CliRunner.Run("serve", "--config", file);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains($"listen: cannot listen on http://127.0.0.1:{port}/", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("listening", output);
    }
}
