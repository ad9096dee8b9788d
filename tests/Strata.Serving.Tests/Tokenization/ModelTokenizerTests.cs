using Strata.Serving.Tokenization;

namespace Strata.Serving.Tests.Tokenization;

public class ModelTokenizerTests
{
    private static string Write(string json)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("strata-tokenizer").FullName, "tokenizer.json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string Tiny = """
        {"added_tokens": [{"id": 4, "content": "<|x|>", "special": true}],
         "normalizer": null,
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
         "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3}, "merges": ["a b"]}}
        """;

    /// <summary>By hand: GPT-2's split gives "ab" and " ab"; bytes map the space to Ġ; the merge a+b makes "ab"; the added token stays whole.</summary>
    [Fact]
    public void A_byte_level_bpe_file_encodes_as_worked_out_by_hand()
    {
        var tokenizer = ModelTokenizer.Load(Write(Tiny));

        Assert.Equal([2, 3, 2], tokenizer.Encode("ab ab"));
        Assert.Equal([2, 4, 0], tokenizer.Encode("ab<|x|>a"));
        Assert.Equal(3, tokenizer.CountTokens("ab ab"));
    }

    [SkippableFact]
    public void Qwen3_token_ids_match_an_independent_implementation_on_every_reference_prompt()
    {
        Skip.If(Qwen3Tokenizer.Path() is null, Qwen3Tokenizer.Missing);
        foreach (var (text, ids) in Qwen3Tokenizer.Reference())
            Assert.True(ids.SequenceEqual(Qwen3Tokenizer.Tokenizer.Encode(text)), $"token ids differ for {text}: {string.Join(",", Qwen3Tokenizer.Tokenizer.Encode(text))} vs the reference {string.Join(",", ids)}");
    }

    [Theory]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {}}}""", "model.type is 'WordPiece'")]
    [InlineData("""{"pre_tokenizer": {"type": "Metaspace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer is")]
    [InlineData("""{"normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "normalizer.type 'Lowercase' is not read")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}}""", "'model' is missing")]
    [InlineData("not json", "is not valid JSON")]
    public void A_file_of_another_shape_is_refused_naming_the_key(string json, string message)
    {
        var path = Write(json);

        var error = Assert.Throws<TokenizerFileException>(() => ModelTokenizer.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        var error = Assert.Throws<TokenizerFileException>(() => ModelTokenizer.Load("/nonexistent/tokenizer.json"));
        Assert.Contains("/nonexistent/tokenizer.json does not exist", error.Message);
    }
}
