namespace Strata.Core.Admission;

/// <summary>
/// The admission stage's limits: <paramref name="MaxInFlightPerEngine"/> of this stage's requests per engine before
/// new ones wait, at most <paramref name="MaxQueueLength"/> waiting, and <paramref name="Panic"/>: with every engine
/// out of the pool, use them all rather than refuse (Envoy's panic threshold at 0%).
/// </summary>
public sealed record AdmissionLimits(int MaxInFlightPerEngine, int MaxQueueLength, bool Panic = false)
{
    public void Validate(string section)
    {
        if (MaxInFlightPerEngine < 1)
            throw new Policies.PolicyConfigurationException($"{section}.max_in_flight: {MaxInFlightPerEngine} admits nothing; use a positive number of requests per engine (e.g. 256, vLLM's max_num_seqs).");
        if (MaxQueueLength < 0)
            throw new Policies.PolicyConfigurationException($"{section}.max_length: {MaxQueueLength} is negative; use 0 (no queue) or more.");
    }
}
