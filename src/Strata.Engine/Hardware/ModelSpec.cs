namespace Strata.Engine.Hardware;

/// <summary>
/// The facts of a model that set its serving cost: sizes from its Hugging Face <c>config.json</c>.
/// </summary>
public sealed record ModelSpec
{
    public required string Name { get; init; }
    public required int Layers { get; init; }
    /// <summary>Leading decoder layers with a dense MLP instead of experts (DeepSeek's <c>first_k_dense_replace</c>).</summary>
    public int FirstDenseLayers { get; init; }
    public required int HiddenSize { get; init; }
    public required int AttentionHeads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>Routed experts per MoE layer; 0 for a dense model.</summary>
    public int RoutedExperts { get; init; }
    public int ExpertsPerToken { get; init; }
    public int ExpertIntermediateSize { get; init; }
    /// <summary>The dense MLP's intermediate size (<c>intermediate_size</c>): every layer of a dense model, the first dense layers of a MoE one.</summary>
    public int IntermediateSize { get; init; }
    public int SharedExperts { get; init; }
    /// <summary>Expert groups for group-limited routing (DeepSeek's <c>n_group</c>); 1 when none.</summary>
    public int ExpertGroups { get; init; } = 1;
    /// <summary>All parameters, embeddings included.</summary>
    public required double TotalParams { get; init; }
    /// <summary>Bytes of KV cache one token takes across all layers.</summary>
    public required long KvBytesPerToken { get; init; }
    public required int MaxModelLen { get; init; }
    /// <summary>2 for bf16 weights, 1 for fp8.</summary>
    public double BytesPerParam { get; init; } = 2;

    /// <summary>True when the model routes tokens to experts; a dense model has an MLP in every layer instead.</summary>
    public bool IsMoe => RoutedExperts > 0;

    public int MoeLayers => IsMoe ? Layers - FirstDenseLayers : 0;

    /// <summary>One routed expert's gate, up and down projections: 3·hidden·intermediate.</summary>
    public double ParamsPerExpert => 3.0 * HiddenSize * ExpertIntermediateSize;

    public double ExpertBytes => ParamsPerExpert * BytesPerParam;

    public double RoutedExpertParams => (double)MoeLayers * RoutedExperts * ParamsPerExpert;

    /// <summary>Everything but the routed experts: attention, norms, shared experts, dense layers, embeddings.</summary>
    public double NonExpertParams => TotalParams - RoutedExpertParams;

    public double WeightBytes => TotalParams * BytesPerParam;
}
