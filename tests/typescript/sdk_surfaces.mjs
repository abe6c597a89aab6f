// Every stub surface through the official TypeScript SDK; prints one JSON object of what it saw.
// Run by tests/typescript/test_typescript_sdk.py with ANTHROPIC_BASE_URL pointing at a stub.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ apiKey: "sk-ant-ts-test", maxRetries: 0 });
const model = "claude-sonnet-4-6";
const ask = [{ role: "user", content: "What is the weather in Paris?" }];
const weather = {
  name: "get_weather",
  description: "Weather for a city.",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const seen = {};

const plain = await client.messages.create({ model, max_tokens: 50, messages: ask });
seen.plain = { type: plain.content[0].type, stop: plain.stop_reason };

const tool = await client.messages.create({ model, max_tokens: 300, messages: ask, tools: [weather] });
seen.tool = { stop: tool.stop_reason, name: tool.content[0].name, input: tool.content[0].input };

const stream = client.messages.stream({ model, max_tokens: 300, messages: ask, tools: [weather] });
const jsonDeltas = [];
stream.on("inputJson", (partial) => jsonDeltas.push(partial));
const streamed = await stream.finalMessage();
seen.toolStream = { deltas: jsonDeltas.length, stop: streamed.stop_reason, input: streamed.content[0].input };

const thinkingStream = client.messages.stream({
  model, max_tokens: 3000, messages: ask, thinking: { type: "enabled", budget_tokens: 1024 },
});
const order = [];
thinkingStream.on("streamEvent", (event) => {
  if (event.type === "content_block_delta") order.push(event.delta.type);
});
const thought = await thinkingStream.finalMessage();
seen.thinking = { order: [...new Set(order)], first: thought.content[0].type, signed: !!thought.content[0].signature };

const structured = await client.messages.create({
  model, max_tokens: 300, messages: ask,
  output_config: { format: { type: "json_schema", schema: { type: "object", properties: { city: { type: "string" } },
                                                            required: ["city"], additionalProperties: false } } },
});
seen.structured = JSON.parse(structured.content[0].text);

const models = [];
for await (const info of client.models.list({ limit: 3 })) models.push(info.id);
seen.models = models.length;
seen.retrieved = (await client.models.retrieve(model)).max_tokens;

try {
  await client.messages.create({ model: "claude-nonexistent-9", max_tokens: 5, messages: ask });
  seen.unknownModel = "accepted";
} catch (error) {
  seen.unknownModel = { status: error.status, type: error.error?.error?.type };
}
try {
  await client.messages.create({ model, max_tokens: 5, messages: ask, foo: 1 });
  seen.extraField = "accepted";
} catch (error) {
  seen.extraField = { status: error.status, message: error.error?.error?.message };
}

let batch = await client.messages.batches.create({
  requests: [{ custom_id: "one", params: { model, max_tokens: 20, messages: ask } }],
});
while (batch.processing_status !== "ended") {
  await new Promise((resolve) => setTimeout(resolve, 20));
  batch = await client.messages.batches.retrieve(batch.id);
}
const results = [];
for await (const result of await client.messages.batches.results(batch.id)) results.push(result.result.type);
seen.batch = results;

console.log(JSON.stringify(seen));
