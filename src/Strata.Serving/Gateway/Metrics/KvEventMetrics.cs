using Prometheus;
using Strata.KvEvents;
using Strata.Serving.Gateway.Admission;

namespace Strata.Serving.Gateway.Metrics;

/// <summary>
/// The KV-event feeds of precise-mode models at <c>/metrics</c>, read from the subscribers when Prometheus scrapes:
/// events consumed, sequence gaps (detected, recovered by replay), whether the engine's index is degraded (events
/// lost beyond replay or a silent publisher: the index learns from routing decisions meanwhile), the blocks indexed
/// per engine and the age of its last event.
/// </summary>
public sealed class KvEventMetrics
{
    private readonly Counter _events;
    private readonly Counter _gaps;
    private readonly Counter _recovered;
    private readonly Gauge _degraded;
    private readonly Gauge _blocks;
    private readonly Gauge _age;

    public KvEventMetrics(GatewayMetrics metrics, GatewayState state, TimeProvider time)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        string[] labels = ["model", "backend"];
        _events = factory.CreateCounter("strata_gateway_kv_events_consumed_total", "KV-cache events applied from an engine's feed.", labels);
        _gaps = factory.CreateCounter("strata_gateway_kv_event_gaps_total", "Sequence gaps in an engine's KV-event feed.", labels);
        _recovered = factory.CreateCounter("strata_gateway_kv_event_gaps_recovered_total", "Gaps whose batches the engine's replay socket supplied.", labels);
        _degraded = factory.CreateGauge("strata_gateway_kv_events_degraded", "1 while an engine's KV events cannot be trusted and its index learns from routing decisions instead; 0 otherwise.", labels);
        _blocks = factory.CreateGauge("strata_gateway_kv_index_blocks", "Blocks the precise index knows an engine holds, from its events.", labels);
        _age = factory.CreateGauge("strata_gateway_kv_events_last_age_seconds", "Seconds since an engine's last KV-event batch (absent before the first).", labels);
        metrics.Registry.AddBeforeCollectCallback(() => Collect(state.Models.Values, time.GetUtcNow()));
    }

    private void Collect(IEnumerable<ModelScheduler> models, DateTimeOffset now)
    {
        foreach (var model in models)
        {
            if (model.KvEvents is not { } feed) continue;
            var engine = 0;
            foreach (var (backend, stats) in model.Backends.Zip(feed.Stats))
            {
                string[] labels = [model.Name, backend.Name];
                _events.WithLabels(labels).IncTo(stats.EventsConsumed);
                _gaps.WithLabels(labels).IncTo(stats.GapsDetected);
                _recovered.WithLabels(labels).IncTo(stats.GapsRecovered);
                _degraded.WithLabels(labels).Set(stats.State == KvEventSubscriberState.Degraded ? 1 : 0);
                _blocks.WithLabels(labels).Set(feed.Adapter.KnownBlocks(engine++));
                if (stats.LastEventTime is { } last) _age.WithLabels(labels).Set((now - last).TotalSeconds);
            }
        }
    }
}
