import time

from anthropic import Anthropic

client = Anthropic()

batch = client.messages.batches.create(
    requests=[
        {
            "custom_id": f"request-{i}",
            "params": {
                "model": "claude-sonnet-5",
                "max_tokens": 1024,
                "messages": [{"role": "user", "content": f"Write a haiku about the number {i}."}],
            },
        }
        for i in range(3)
    ]
)

while batch.processing_status != "ended":
    time.sleep(0.05)
    batch = client.messages.batches.retrieve(batch.id)

print(batch.id)
