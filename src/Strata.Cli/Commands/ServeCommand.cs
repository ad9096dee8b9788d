using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Strata.Serving.Gateway;
using Strata.Serving.Gateway.Config;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata serve</c>: the OpenAI-compatible gateway in front of vLLM/SGLang engines
/// (docs/gateway.md). The config is validated before the server starts; a bad one exits with one
/// line naming the field. Edits to the file are applied while serving.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = new Option<FileInfo>("--config") { Description = "Gateway YAML: listen, api_keys, scrape_interval_ms, models (docs/gateway.md).", Required = true };
        var command = new Command("serve", "Run the gateway: admission queues and engine dispatch in front of vLLM/SGLang engines.") { config };
        command.SetAction(async (parse, cancel) =>
        {
            var path = parse.GetValue(config)!.FullName;
            var gatewayConfig = GatewayConfigFile.Load(path);
            // Before any socket exists, since the runtime reads it once (GatewayHost.UseInlineSocketCompletions).
            // Only here: it is process-wide, and a bad config (exit 2, above) leaves the process as it was.
            GatewayHost.UseInlineSocketCompletions();
            var gateway = GatewayHost.Build(new GatewayOptions(gatewayConfig, path));
            try
            {
                await gateway.StartAsync(cancel);
            }
            catch (IOException e)
            {
                // Kestrel could not bind: the port is taken, or the address is not this machine's.
                await gateway.DisposeAsync();
                throw new GatewayConfigException($"{path}: listen: cannot listen on {gatewayConfig.Listen}: {e.Message}");
            }
            console.MarkupLineInterpolated($"[green]strata gateway[/] listening on {string.Join(", ", gateway.Urls)} with {path}");
            await gateway.WaitForShutdownAsync(cancel);
            return 0;
        });
        return command;
    }
}
