using Strata.Core.Policies;
using Strata.Serving.Tokenization;
using Strata.Core.Configuration;
using YamlDotNet.RepresentationModel;
using Strata.Core.Dispatch;
using Strata.Serving.Gateway.Backends;

namespace Strata.Serving.Gateway.Config;

/// <summary>
/// Reads the gateway's YAML (docs/gateway.md, README "Serve"). Every key is checked and
/// every policy is built once here, so a typo or a bad value stops <c>strata serve</c> — or a
/// reload — with one message naming the field, before any request is served.
/// </summary>
public static class GatewayConfigFile
{
    private const string Reference = "docs/gateway.md, 'Config'";

    /// <summary>The world a refused policy names: what the gateway's signal sources (scrapes, its own accounting) supply.</summary>
    private const string World = "the gateway";

    /// <summary>Longest duration any setting takes: a day. Beyond it a value is a typo, and timers would overflow.</summary>
    private const double MaxSeconds = 86_400;

    /// <param name="catalogs">The policies names are built from (and checked against); default Strata.Core's.</param>
    public static GatewayConfig Load(string path, PolicyCatalogs? catalogs = null)
    {
        if (!File.Exists(path)) throw new GatewayConfigException($"--config: no file named '{path}'; pass the path of a gateway YAML file.");
        return Parse(File.ReadAllText(path), path, catalogs);
    }

    public static GatewayConfig Parse(string yaml, string source, PolicyCatalogs? catalogs = null)
    {
        var map = YamlMap.Parse(yaml, source, message => new GatewayConfigException(message), Reference, "gateway settings (listen, api_keys, models, ...)");

        var listen = ListenUrl(map.String("listen") ?? "http://127.0.0.1:8080", map.Where("listen"));
        var apiKeys = map.Map("api_keys")?.Scalars() ?? new Dictionary<string, string>();
        var health = ReadHealth(map.Map("health"));
        var models = ReadModels(map, source, catalogs ?? PolicyCatalogs.Standard);
        var config = new GatewayConfig(
            listen,
            apiKeys,
            ReadTenants(map, apiKeys, models),
            TimeSpan.FromMilliseconds(map.Int("scrape_interval_ms", 1, 60_000) ?? 50),
            health,
            map.Int("retries", 0, 16) ?? 2,
            map.Int("max_body_bytes", 1) ?? 32 << 20,
            map.Int("max_body_bytes_in_flight", 1) ?? 256 << 20,
            map.Int("max_connections", 1) ?? 10_000,
            TimeSpan.FromSeconds(map.Double("upstream_idle_timeout_s", 0.001, MaxSeconds) ?? 60),
            map.Double("non_streaming_timeout_s", 0.001, MaxSeconds) is { } nonStreaming ? TimeSpan.FromSeconds(nonStreaming) : null,
            map.Bool("internals_need_key") ?? false,
            models);
        map.RejectUnknownKeys();
        if (config.InternalsNeedKey && apiKeys.Count == 0)
            throw new GatewayConfigException($"{map.Where("internals_need_key")}: true needs api_keys to check; add keys or set it false.");
        return config;
    }

    private static Dictionary<string, TenantSettings> ReadTenants(YamlMap map, IReadOnlyDictionary<string, string> apiKeys, List<ModelSettings> models)
    {
        var tenants = new Dictionary<string, TenantSettings>(StringComparer.Ordinal);
        if (map.Node("tenants") is not { } node) return tenants;
        if (node is not YamlMappingNode mapping) throw new GatewayConfigException($"{map.Where("tenants")}: expected a mapping of tenant name to {{models, priority, priority_range, max_in_flight}}.");
        var section = map.Child(mapping, "tenants");
        foreach (var name in mapping.Children.Keys.Select(key => ((YamlScalarNode)key).Value ?? ""))
        {
            var tenant = section.Map(name) ?? throw new GatewayConfigException($"{section.Where(name)}: expected a mapping {{models, priority, priority_range, max_in_flight, queue_share, requests_per_minute, tokens_per_minute}}.");
            if (!apiKeys.Values.Contains(name)) throw new GatewayConfigException($"{section.Where(name)}: no key in api_keys belongs to tenant '{name}'.");
            HashSet<string>? allowed = null;
            if (tenant.Node("models") is { } list)
            {
                allowed = list is YamlSequenceNode sequence ? sequence.Children.Select(c => (c as YamlScalarNode)?.Value ?? "").ToHashSet(StringComparer.Ordinal)
                    : throw new GatewayConfigException($"{tenant.Where("models")}: expected a list of model names.");
                if (allowed.FirstOrDefault(m => models.All(model => model.Name != m)) is { } unknown)
                    throw new GatewayConfigException($"{tenant.Where("models")}: no model named '{unknown}' is served.");
            }
            var priority = tenant.Int("priority") ?? 0;
            var (min, max) = (priority, priority);
            if (tenant.Node("priority_range") is { } range)
            {
                if (range is not YamlSequenceNode { Children.Count: 2 } bounds || !int.TryParse((bounds.Children[0] as YamlScalarNode)?.Value, out min)
                    || !int.TryParse((bounds.Children[1] as YamlScalarNode)?.Value, out max) || min > max || priority < min || priority > max)
                    throw new GatewayConfigException($"{tenant.Where("priority_range")}: expected [lowest, highest] whole numbers around its priority ({priority}).");
            }
            tenants.Add(name, new TenantSettings(allowed, priority, min, max, tenant.Int("max_in_flight", 1), tenant.Double("queue_share", 0.001, 1) ?? 1,
                tenant.Int("requests_per_minute", 1), tenant.Int("tokens_per_minute", 1)));
            tenant.RejectUnknownKeys();
        }
        return tenants;
    }

    private static HealthSettings ReadHealth(YamlMap? map)
    {
        var defaults = HealthSettings.Default;
        if (map is null) return defaults;
        var health = new HealthSettings(
            map.Int("interval_ms", 1, 3_600_000) is { } interval ? TimeSpan.FromMilliseconds(interval) : defaults.Interval,
            map.Int("timeout_ms", 1, 3_600_000) is { } timeout ? TimeSpan.FromMilliseconds(timeout) : defaults.Timeout,
            map.Int("failures", 1) ?? defaults.Failures,
            map.Double("reactivation_s", 0, MaxSeconds) is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.Reactivation,
            map.Bool("panic") ?? defaults.Panic);
        map.RejectUnknownKeys();
        return health;
    }

    private static List<ModelSettings> ReadModels(YamlMap map, string source, PolicyCatalogs catalogs)
    {
        if (map.Node("models") is not YamlSequenceNode list || list.Children.Count == 0)
            throw new GatewayConfigException($"{map.Where("models")}: expected a list of models, each {{name, engine_type, backends, queue, dispatch}}.");
        var models = new List<ModelSettings>();
        var engineOf = new Dictionary<Uri, (EngineType Type, int Ranks)>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var key = $"models[{i}]";
            if (list.Children[i] is not YamlMappingNode node) throw new GatewayConfigException($"{map.Where(key)}: expected a mapping {{name, engine_type, backends, ...}}.");
            var model = ReadModel(map.Child(node, key), source, key, catalogs);
            if (models.Any(m => m.Name == model.Name))
                throw new GatewayConfigException($"{map.Where(key)}.name: model '{model.Name}' is listed twice; merge its backends into one entry.");
            foreach (var server in model.Backends.GroupBy(b => b.Url))
            {
                var seen = (model.EngineType, server.Count());
                if (!engineOf.TryAdd(server.Key, seen) && engineOf[server.Key].Type != model.EngineType)
                    throw new GatewayConfigException($"{map.Where(key)}.engine_type: backend {server.Key} is also listed as {engineOf[server.Key].Type.ToString().ToLowerInvariant()}; one engine has one type.");
                if (engineOf[server.Key].Ranks != seen.Item2)
                    throw new GatewayConfigException($"{map.Where(key)}.backends: {server.Key} is listed with {seen.Item2} data-parallel rank(s) here and {engineOf[server.Key].Ranks} in another model; one server has one data_parallel_size.");
            }
            models.Add(model);
        }
        return models;
    }

    private static ModelSettings ReadModel(YamlMap map, string source, string key, PolicyCatalogs catalogs)
    {
        var name = map.String("name") ?? throw new GatewayConfigException($"{map.Where("name")}: missing; the model name clients send in \"model\".");
        var engineType = (map.String("engine_type") ?? "vllm") switch
        {
            "vllm" => EngineType.Vllm,
            "sglang" => EngineType.Sglang,
            var other => throw new GatewayConfigException($"{map.Where("engine_type")}: unknown engine type '{other}'; use vllm or sglang."),
        };
        if (map.Node("backends") is not YamlSequenceNode urls || urls.Children.Count == 0)
            throw new GatewayConfigException($"{map.Where("backends")}: expected a list of engine URLs like [http://127.0.0.1:9001], or {{url, data_parallel_size}} for a server fronting several DP ranks.");
        var backends = new List<EngineTarget>();
        for (var i = 0; i < urls.Children.Count; i++)
        {
            var where = $"{map.Where("backends")}[{i}]";
            var (url, ranks, events) = urls.Children[i] switch
            {
                YamlMappingNode server => ReadServer(map.Child(server, $"backends[{i}]")),
                YamlScalarNode scalar => (HttpUrl(scalar.Value ?? "", where), 1, null),
                _ => throw new GatewayConfigException($"{where}: expected an engine URL or {{url, data_parallel_size, kv_events}}."),
            };
            if (backends.Any(b => b.Url == url)) throw new GatewayConfigException($"{where}: {url} is listed twice.");
            // One rank needs no pinning: the server has one engine. More: one engine per rank, pinned by header.
            backends.AddRange(ranks == 1 ? [new EngineTarget(url, null, events)] : Enumerable.Range(0, ranks).Select(r => new EngineTarget(url, r, events)));
        }
        var model = new ModelSettings(
            name,
            engineType,
            backends,
            map.Int("max_in_flight", 1) ?? 256,
            map.Int("max_tokens", 1) ?? 32768,
            ReadQueue(map.Map("queue"), source, key, catalogs),
            ReadDispatch(map.Map("dispatch"), source, key, catalogs, ModelSettings.SuppliedBy(backends)),
            ReadTokenizer(map.Map("tokenizer"), source));
        map.RejectUnknownKeys();
        return model;
    }

    /// <summary>
    /// <c>{url, data_parallel_size}</c>: one server fronting N data-parallel ranks (<c>vllm serve --data-parallel-size N</c>,
    /// SGLang <c>--dp-size N</c>); the gateway treats each rank as an engine and pins requests with the rank header.
    /// </summary>
    private static (Uri Url, int Ranks, KvEventSource? Events) ReadServer(YamlMap server)
    {
        var url = HttpUrl(server.String("url") ?? throw new GatewayConfigException($"{server.Where("url")}: missing; the server's base URL, e.g. http://10.0.0.5:8000."), server.Where("url"));
        var ranks = server.Int("data_parallel_size", 1) ?? 1;
        if (ranks > MaxRanks)
            throw new GatewayConfigException($"{server.Where("data_parallel_size")}: {ranks} ranks behind one server is more than {MaxRanks}; check the value (vLLM's --data-parallel-size).");
        var events = server.Node("kv_events") switch
        {
            null => null,
            YamlScalarNode => new KvEventSource(ZmqEndpoint(server.String("kv_events")!, server.Where("kv_events"))),
            YamlMappingNode => ReadKvEvents(server.Map("kv_events")!),
            _ => throw new GatewayConfigException($"{server.Where("kv_events")}: expected tcp://host:port or {{endpoint, replay_endpoint}}."),
        };
        server.RejectUnknownKeys();
        return (url, ranks, events);
    }

    private static KvEventSource ReadKvEvents(YamlMap map)
    {
        var endpoint = map.String("endpoint") ?? throw new GatewayConfigException($"{map.Where("endpoint")}: missing; where the server publishes, e.g. tcp://10.0.0.5:5557 for vLLM's \"endpoint\": \"tcp://*:5557\".");
        var source = new KvEventSource(ZmqEndpoint(endpoint, map.Where("endpoint")),
            map.String("replay_endpoint") is { } replay ? ZmqEndpoint(replay, map.Where("replay_endpoint")) : null);
        map.RejectUnknownKeys();
        return source;
    }

    /// <summary>A ZMQ endpoint the gateway can connect to: tcp with a host and port (a bind address like tcp://*:5557 is the server's side).</summary>
    private static string ZmqEndpoint(string text, string where)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "tcp" || uri.Port <= 0 || text.Contains('*'))
            throw new GatewayConfigException($"{where}: '{text}' is not a tcp://host:port to connect to; give the server's address with the port of its --kv-events-config endpoint, e.g. tcp://10.0.0.5:5557.");
        return $"tcp://{uri.Host}:{uri.Port}";
    }

    /// <summary>Most DP ranks one server may front: far above any deployment, and it keeps a typo from allocating millions of engines.</summary>
    private const int MaxRanks = 1024;

    /// <summary><c>tokenizer: {path}</c>: the model's tokenizer.json, relative to the config file; read now, so a bad one stops start-up or a reload.</summary>
    private static ModelTokenizer? ReadTokenizer(YamlMap? map, string source)
    {
        if (map is null) return null;
        var path = map.String("path") ?? throw new GatewayConfigException($"{map.Where("path")}: missing; give the model's tokenizer.json, e.g. tokenizer: {{path: /models/Qwen3-30B-A3B/tokenizer.json}}.");
        map.RejectUnknownKeys();
        try
        {
            return ModelTokenizer.Load(Path.GetFullPath(path, Path.GetDirectoryName(Path.GetFullPath(source))!));
        }
        catch (TokenizerFileException e)
        {
            throw new GatewayConfigException($"{map.Where("path")}: {e.Message}");
        }
    }

    private static QueueSettings ReadQueue(YamlMap? map, string source, string model, PolicyCatalogs catalogs)
    {
        var section = $"{source}: {model}.queue";
        if (map is null) return Validated(new QueueSettings(new PolicyOptions("fcfs", section: section), 1000, TimeSpan.FromSeconds(60)));
        var policy = new PolicyOptions(map.String("name") ?? "fcfs", map.Scalars("name", "max_length", "ttl_s"), section);
        return Validated(new QueueSettings(policy, map.Int("max_length", 0) ?? 1000, TimeSpan.FromSeconds(map.Double("ttl_s", 0.001, MaxSeconds) ?? 60)));

        QueueSettings Validated(QueueSettings queue) => Build(() =>
        {
            PolicyInputs.Check(catalogs.Queue.Create(queue.Policy), queue.Policy, Backend.ScrapedSignals, World);
            return queue;
        });
    }

    private static PolicyOptions ReadDispatch(YamlMap? map, string source, string model, PolicyCatalogs catalogs, SignalFields supplied)
    {
        var section = $"{source}: {model}.dispatch";
        var policy = map is null
            ? new PolicyOptions("vllm-dp", section: section)
            : new PolicyOptions(map.String("name") ?? "vllm-dp", map.Scalars("name"), section);
        return Build(() =>
        {
            PolicyInputs.Check(catalogs.Dispatch.Create(policy), policy, supplied, World);
            return policy;
        });
    }

    // Policies are built now to surface their parameter errors, and what the gateway cannot feed them, before serving.
    private static T Build<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (PolicyConfigurationException e)
        {
            throw new GatewayConfigException(e.Message);
        }
    }

    /// <summary>Where to listen: plain http (the gateway has no certificate settings; terminate TLS in front) on a host and port, nothing more.</summary>
    private static Uri ListenUrl(string text, string where)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != "http" || url.Host.Length == 0
            || url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
            throw new GatewayConfigException($"{where}: '{text}' is not an address to listen on like http://127.0.0.1:8080 (http only, no path; terminate TLS in front).");
        return url;
    }

    private static Uri HttpUrl(string text, string where)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
            throw new GatewayConfigException($"{where}: '{text}' is not an http(s) URL like http://127.0.0.1:9001.");
        return url;
    }
}
