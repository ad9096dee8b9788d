#!/usr/bin/env python3
"""A reference subscriber for vLLM's KV-cache events, written from vLLM's schema, not from Strata's code.

Schema: vllm/distributed/kv_events.py at vllm-project/vllm 0181ea3173e53eea8cf04a86891488e3dc89bb34 (KVEventBatch,
BlockStored, BlockRemoved, AllBlocksCleared, ZmqEventPublisher). Live messages are [topic, seq (8 bytes, big-endian),
payload]; the payload is msgpack of the batch [ts, events, data_parallel_rank] (a map with those keys is read too);
an event is a tagged array in field order, or a map with the tag under "type" (vLLM after PR #42892).
A replay request on the ROUTER is [seq]; each answer is [seq, payload] and the last is [-1, b""].

Usage: vllm_kv_events_reference.py SUB_ENDPOINT REPLAY_ENDPOINT TOPIC COUNT
Prints one JSON line per live batch taken ({"seq", "ts", "data_parallel_rank", "events"}), then one line
{"replay": [seq, ...], "replay_matches_live": bool, "end_payload_empty": bool} for a replay from the first seq taken.
Block hashes print as decimal strings (integers) or "0x" + hex (bytes).
"""
import json
import sys

import msgpack
import zmq

STORED_FIELDS = ["block_hashes", "parent_block_hash", "token_ids", "block_size", "lora_id", "medium",
                 "lora_name", "extra_keys", "group_idx", "kv_cache_spec_kind", "kv_cache_spec_sliding_window"]
REMOVED_FIELDS = ["block_hashes", "medium", "group_idx"]
FIELDS = {"BlockStored": STORED_FIELDS, "BlockRemoved": REMOVED_FIELDS, "AllBlocksCleared": []}
TIMEOUT_MS = 20_000


def block_hash(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def named(event):
    """The event's tag and its fields by name, from either layout; absent trailing fields are their default None."""
    if isinstance(event, dict):
        return event["type"], event
    tag = event[0]
    return tag, dict(zip(FIELDS[tag], event[1:]))


def normalized(event):
    tag, fields = named(event)
    out = {"type": tag}
    if tag == "BlockStored":
        out["block_hashes"] = [block_hash(h) for h in fields["block_hashes"]]
        out["parent_block_hash"] = block_hash(fields["parent_block_hash"])
        out["token_ids"] = list(fields["token_ids"])
        out["block_size"] = fields["block_size"]
        for key in ("lora_id", "medium", "lora_name", "group_idx"):
            out[key] = fields.get(key)
    elif tag == "BlockRemoved":
        out["block_hashes"] = [block_hash(h) for h in fields["block_hashes"]]
        out["medium"] = fields.get("medium")
        out["group_idx"] = fields.get("group_idx")
    return out


def decode(payload):
    batch = msgpack.unpackb(payload, raw=False)
    if isinstance(batch, dict):
        ts, events, rank = batch["ts"], batch["events"], batch.get("data_parallel_rank")
    else:
        ts, events, rank = batch[0], batch[1], batch[2] if len(batch) > 2 else None
    return {"ts": ts, "data_parallel_rank": rank, "events": [normalized(e) for e in events]}


def main():
    endpoint, replay_endpoint, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.connect(endpoint)
    sub.setsockopt_string(zmq.SUBSCRIBE, topic)
    live = {}
    first = None
    while len(live) < count:
        if not sub.poll(TIMEOUT_MS):
            sys.exit("no KV-event batch within %d ms" % TIMEOUT_MS)
        frames = sub.recv_multipart()
        if len(frames) != 3 or len(frames[1]) != 8:
            sys.exit("a live message is not [topic, seq, payload]: %d frames" % len(frames))
        seq = int.from_bytes(frames[1], "big")
        first = seq if first is None else first
        live[seq] = frames[2]
        line = {"seq": seq}
        line.update(decode(frames[2]))
        print(json.dumps(line, separators=(",", ":")), flush=True)

    replay = context.socket(zmq.DEALER)
    replay.setsockopt(zmq.LINGER, 0)
    replay.connect(replay_endpoint)
    replay.send_multipart([b"", first.to_bytes(8, "big")])
    seqs, matches, end_empty = [], True, False
    while True:
        if not replay.poll(TIMEOUT_MS):
            sys.exit("the replay did not end within %d ms" % TIMEOUT_MS)
        empty, seq_bytes, payload = replay.recv_multipart()
        seq = int.from_bytes(seq_bytes, "big", signed=True)
        if seq == -1:
            end_empty = payload == b""
            break
        seqs.append(seq)
        if seq in live and live[seq] != payload:
            matches = False
    print(json.dumps({"replay": seqs, "replay_matches_live": matches, "end_payload_empty": end_empty}), flush=True)


if __name__ == "__main__":
    main()
