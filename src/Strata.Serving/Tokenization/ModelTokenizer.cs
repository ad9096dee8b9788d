using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Strata.Serving.Tokenization;

/// <summary>
/// A model's own tokenizer, read from its Hugging Face <c>tokenizer.json</c>, so prompt token counts (SJF keys,
/// token load, <c>max_model_len</c> checks) and prefix-cache block keys match what the engine computes.
/// <para>
/// The shape read is the byte-level BPE that Qwen2/Qwen3, Llama 3 and GPT-2-style models ship: <c>model.type</c>
/// BPE with <c>vocab</c> and <c>merges</c>; a <c>pre_tokenizer</c> that is a <c>Split</c> by regex followed by
/// <c>ByteLevel</c> (or a lone <c>ByteLevel</c>); an NFC or no <c>normalizer</c>; and <c>added_tokens</c>, which
/// are matched whole in the text as the engine's tokenizer does, so a chat template's <c>&lt;|im_start|&gt;</c> is
/// one token. Anything else is refused with the key and what was found. Encoding is Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/> (managed, no native library; chosen over the Rust wrapper for speed: docs/gateway.md).
/// </para>
/// </summary>
public sealed class ModelTokenizer
{
    private readonly BpeTokenizer _bpe;

    private ModelTokenizer(BpeTokenizer bpe, string path) => (_bpe, Path) = (bpe, path);

    /// <summary>The <c>tokenizer.json</c> it was read from.</summary>
    public string Path { get; }

    /// <summary>Reads <paramref name="path"/>; a missing or unsupported file is a <see cref="TokenizerFileException"/> naming the key.</summary>
    public static ModelTokenizer Load(string path)
    {
        if (!File.Exists(path))
            throw new TokenizerFileException($"{path} does not exist; give the model's tokenizer.json (from its Hugging Face repository).");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException($"{path} is not valid JSON: {e.Message}");
        }
        var model = Property(root, "model", path);
        if (String(model, "type") is not "BPE")
            throw new TokenizerFileException($"{path}: model.type is '{String(model, "type")}'; only byte-level BPE tokenizers are read (Qwen, Llama 3, GPT-2 style).");
        var special = root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array
            ? added.EnumerateArray().ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32(), StringComparer.Ordinal)
            : new Dictionary<string, int>(StringComparer.Ordinal);
        var options = new BpeOptions(Property(model, "vocab", path).EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())))
        {
            Merges = Property(model, "merges", path).EnumerateArray().Select(Merge),
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(SplitPattern(root, path), RegexOptions.Compiled), special),
            Normalizer = ReadNormalizer(root, path),
            SpecialTokens = special,
        };
        return new ModelTokenizer(BpeTokenizer.Create(options), path);
    }

    /// <summary>The token ids of <paramref name="text"/>, special tokens in it included, nothing added around it.</summary>
    public int[] Encode(string text) => [.. _bpe.EncodeToIds(text)];

    /// <summary>How many tokens <see cref="Encode"/> gives, without keeping them.</summary>
    public int CountTokens(string text) => _bpe.CountTokens(text);

    // merges are "a b" strings in older files and ["a", "b"] pairs in newer ones.
    private static string Merge(JsonElement merge) =>
        merge.ValueKind == JsonValueKind.Array ? merge[0].GetString() + " " + merge[1].GetString() : merge.GetString()!;

    /// <summary>The regex of a <c>Split</c> (isolated) before <c>ByteLevel</c>, or GPT-2's when <c>ByteLevel</c> splits itself.</summary>
    private static string SplitPattern(JsonElement root, string path)
    {
        var pre = Property(root, "pre_tokenizer", path);
        var steps = String(pre, "type") == "Sequence" ? Property(pre, "pretokenizers", path).EnumerateArray().ToArray() : [pre];
        return steps switch
        {
            [var split, var bytes] when String(split, "type") == "Split" && String(split, "behavior") == "Isolated" && !Flag(split, "invert")
                && split.GetProperty("pattern").TryGetProperty("Regex", out var regex) && IsPlainByteLevel(bytes) => regex.GetString()!,
            [var bytes] when IsPlainByteLevel(bytes) && !(bytes.TryGetProperty("use_regex", out var use) && use.ValueKind == JsonValueKind.False) => Gpt2Pattern,
            _ => throw new TokenizerFileException($"{path}: pre_tokenizer is {pre.GetRawText()[..Math.Min(120, pre.GetRawText().Length)]}…; only an isolated regex Split followed by ByteLevel, or ByteLevel alone, is read."),
        };
    }

    private static bool IsPlainByteLevel(JsonElement step) => String(step, "type") == "ByteLevel" && !Flag(step, "add_prefix_space");

    private static bool Flag(JsonElement element, string name) => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>The pattern Hugging Face's ByteLevel pre-tokenizer splits with when <c>use_regex</c> is on (GPT-2's).</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static Normalizer? ReadNormalizer(JsonElement root, string path) =>
        root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null
            ? String(normalizer, "type") == "NFC" ? NfcNormalizer.Create(path)
                : throw new TokenizerFileException($"{path}: normalizer.type '{String(normalizer, "type")}' is not read; only NFC or none.")
            : null;

    private static JsonElement Property(JsonElement element, string name, string path) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value
            : throw new TokenizerFileException($"{path}: '{name}' is missing; is this a Hugging Face tokenizer.json?");

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class NfcNormalizer : Normalizer
    {
        /// <summary>Refuses a process in .NET's globalization-invariant mode, where <c>Normalize</c> leaves text as it is.</summary>
        public static NfcNormalizer Create(string path) => "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9" ? new NfcNormalizer()
            : throw new TokenizerFileException($"{path}: normalizer NFC needs ICU, and this process runs in globalization-invariant mode; unset DOTNET_SYSTEM_GLOBALIZATION_INVARIANT (strata itself runs with ICU).");

        public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

        public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
    }
}
