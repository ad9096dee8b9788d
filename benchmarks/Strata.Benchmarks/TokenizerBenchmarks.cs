using System.Text;
using BenchmarkDotNet.Attributes;
using Strata.Serving.Tokenization;

namespace Strata.Benchmarks;

/// <summary>
/// Tokenizing an 8k-token prompt with Qwen3's tokenizer.json (tests/tokenizers/fetch-qwen3.sh fetches it), as the gateway
/// does for every request of a model with <c>tokenizer: {path}</c>. The prompt mixes English prose, code and CJK text.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private ModelTokenizer _tokenizer = null!;
    private string _prompt = "";

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("STRATA_QWEN3_TOKENIZER") ?? Path.Combine(RepositoryRoot(), "tests", "tokenizers", "qwen3", "tokenizer.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run tests/tokenizers/fetch-qwen3.sh first.");
        _tokenizer = ModelTokenizer.Load(path);
        string[] pieces =
        [
            "The gateway places each request on the data-parallel rank whose pending prefill is smallest. ",
            "def route(request, engines):\n    return min(engines, key=lambda e: e.pending_prefill)\n",
            "専門家の並列処理では、トークンが異なるGPU上の専門家へ送られます。",
            "Mixture-of-Experts models activate 8 of 128 experts per token; 3.3B of 30.5B parameters. ",
        ];
        var text = new StringBuilder();
        for (var i = 0; _tokenizer.CountTokens(text.ToString()) < 8192; i++) text.Append(pieces[i % pieces.Length]);
        _prompt = text.ToString();
    }

    [Benchmark]
    public int Encode8kTokenPrompt() => _tokenizer.Encode(_prompt).Length;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Strata.slnx not found above the benchmark binaries.");
    }
}
