"""Cost accumulator, wrong (written from scratch, a dataclass budget): prices only the counted input as the worst case, forgetting the max_tokens of output.
"""

import logging
from dataclasses import dataclass

import anthropic

log = logging.getLogger("support.budget")

PRICES = {
    "claude-sonnet-5-5": {"input": 2.00, "output": 10.00, "cache_write_5m": 2.50, "cache_write_1h": 4.00,
                          "cache_read": 0.10},
    "claude-haiku-5-5": {"input": 0.10, "output": 0.50, "cache_write_5m": 0.125, "cache_write_1h": 0.20,
                         "cache_read": 0.01},
}
"""USD per million tokens, from the course's dated price table (coach/data/models.toml, as of 2026-12-03)."""

SOFT_LIMIT_USD = 0.025
"""Past this, log one WARNING and carry on."""
HARD_LIMIT_USD = 0.060
"""Never let the session's bill go past this: refuse the call that could cross it."""

MODELS = {"classify": "claude-haiku-5-5", "summarise": "claude-sonnet-5-5", "draft": "claude-sonnet-5-5"}

MAX_TOKENS = {"classify": 8, "summarise": 500, "draft": 600}

USAGE_PRICES = {"input_tokens": "input", "output_tokens": "output",
                "cache_creation_input_tokens": "cache_write_5m", "cache_read_input_tokens": "cache_read"}
"""Which price each usage counter is billed at."""


class BudgetExceeded(RuntimeError):
    pass


def priced(counts: dict, model: str) -> float:
    return sum((counts.get(field) or 0) * PRICES[model][kind] for field, kind in USAGE_PRICES.items()) / 1e6


def worst_case_usd(client: anthropic.Anthropic, request: dict) -> float:
    without_ceiling = dict(request)
    ceiling = without_ceiling.pop("max_tokens")
    counted = client.messages.with_raw_response.count_tokens(**without_ceiling).parse()
    return priced({"input_tokens": counted.input_tokens}, request["model"])


@dataclass
class SessionBudget:
    soft_usd: float
    hard_usd: float
    spent_usd: float = 0.0

    def check(self, worst_case_usd: float) -> None:
        if self.spent_usd + worst_case_usd > self.hard_usd:
            raise BudgetExceeded(f"${self.hard_usd - self.spent_usd:.4f} left, the call may cost ${worst_case_usd:.4f}")

    def record(self, usage, model: str) -> float:
        cost = priced(usage.model_dump(), model)
        before, self.spent_usd = self.spent_usd, self.spent_usd + cost
        if before < self.soft_usd <= self.spent_usd:
            log.warning("soft budget of $%.3f passed: $%.4f spent", self.soft_usd, self.spent_usd)
        return cost


TICKETS = [
    ("T-1041", "My order P-2291 arrived with the lid of the blender cracked. I want a replacement, not a refund, "
               "and I need it before Saturday because it is a birthday present."),
    ("T-1042", "You charged my card twice for order P-2304. The bank shows two payments of 84.90 on the same day. "
               "Please refund the second one and tell me why it happened."),
    ("T-1043", "The tracking page for P-2317 has said 'label created' for nine days. Is the parcel lost? I have "
               "already waited a week longer than the delivery estimate you gave me."),
    ("T-1044", "I cannot log in since I changed my email address. The reset link goes to the old address, which "
               "no longer exists. My account has two open orders I need to follow."),
    ("T-1045", "The coffee grinder from P-2350 stopped working after three weeks. It was a gift, so I do not "
               "have the receipt, only the order number my sister gave me."),
    ("T-1046", "Your courier left P-2362 at the wrong house. The neighbour gave it back opened and two of the "
               "four glasses are broken. Photos attached to my first message."),
    ("T-1047", "I returned P-2371 on the 3rd and the refund still has not arrived. Your policy page says five "
               "working days. The return label shows it was delivered to your warehouse."),
    ("T-1048", "Please close my account and delete my data. I also want to know whether my card details are "
               "stored anywhere after the account is gone."),
    ("T-1049", "The discount code WINTER15 was rejected at checkout even though the email says it is valid "
               "until the end of the month. I paid full price for P-2398 and want the difference."),
    ("T-1050", "Two items were missing from P-2405: the filter jug and the spare filters. The packing slip "
               "lists them, but the box only held the kettle."),
]


def account_history(ticket_id: str) -> str:
    """The customer's last orders, pasted under each ticket as an agent would see them. Leave as it is."""
    seed = int(ticket_id[-2:])
    lines = []
    for n in range(36):
        month, day = 1 + (n + seed) % 11, 1 + (n * 7 + seed) % 28
        items, total = 1 + (n + seed) % 4, 12.5 + ((n * 37 + seed * 11) % 900) / 10
        status = ("delivered", "delivered", "returned", "delivered", "refunded", "delivered")[(n + seed) % 6]
        lines.append(f"2026-{month:02d}-{day:02d}  order P-{1400 + n * 23 + seed}  {items} item(s)  "
                     f"EUR {total:7.2f}  {status}")
    return "\n".join(lines)


STYLE_GUIDE = "\n".join([
    "You draft replies for Parcelry's customer support team. An agent reviews every draft before it is sent.",
    "House style for replies:",
    *[f"{n}. {rule}" for n, rule in enumerate([
        "Open with the customer's name if the ticket gives it, otherwise with 'Hello'. Never 'Dear valued customer'.",
        "In the first sentence, say what you are going to do for them, not that you understand their frustration.",
        "Give one concrete next step with a date or a time frame: 'You will have the replacement by Thursday'.",
        "Refunds go back to the original payment method within five working days of the warehouse receiving a "
        "return. Say 'five working days', never 'soon' or 'shortly'.",
        "Replacements ship by express courier at no cost when the item arrived damaged or incomplete.",
        "For a double charge, confirm which payment will be refunded by its date and amount, and say that the "
        "bank may take a further two to three days to show it.",
        "For lost parcels, offer a replacement or a refund once tracking has not moved for seven days; let the "
        "customer choose.",
        "Never ask for a card number, a password or a full date of birth. Account checks use the order number "
        "and the postcode only.",
        "Account deletion requests are confirmed within 30 days; say that card details are held by the payment "
        "provider, not by Parcelry, and are removed with the account.",
        "Discount codes: if a valid code was refused, refund the difference and apologise once.",
        "One apology at most, and only where Parcelry got something wrong.",
        "Write short paragraphs of one to three sentences. No bullet lists unless there are more than three steps.",
        "Do not promise anything the policy above does not cover; say that a colleague will follow up instead.",
        "Do not mention internal systems, ticket numbers of other customers or the name of the courier company.",
        "Close with the agent's first name placeholder {agent} and the sign-off 'Parcelry Support'.",
        "Match the customer's language if they did not write in English, and keep the same level of formality.",
        "If the customer is angry, stay factual and warm; do not repeat their insults or argue about the past.",
        "If a photo or attachment is mentioned, thank them for it and say it has been added to the case.",
        "When the ticket asks two questions, answer both, in the order they were asked.",
        "Keep the whole reply under 180 words.",
    ], start=1)],
    "Two replies that follow the guide:",
    "Hello Maria, we will send you a new kettle by express courier today, at no cost. You will have it by "
    "Thursday. There is no need to return the damaged one; please recycle it. Thank you for the photos, they are "
    "now part of your case. {agent}, Parcelry Support",
    "Hello, the second payment of 42.00 from 12 March will be refunded to your card today. Your bank may take a "
    "further two to three days to show it. The double charge came from a payment page that timed out and was "
    "submitted twice; we have fixed the page. We are sorry for the trouble. {agent}, Parcelry Support",
    "Hello Tom, your parcel has not moved since 2 May, so we will treat it as lost. You can choose: we send a "
    "replacement by express courier today, or we refund the full 64.50 to your card within five working days. "
    "Reply with the one you prefer and we will do it at once. {agent}, Parcelry Support",
    "Hello Aylin, the code SPRING10 was valid when you paid, so we have refunded the difference of 6.20 to your "
    "card. Your bank may take two to three days to show it. We are sorry the checkout refused it. "
    "{agent}, Parcelry Support",
    "Hello, we have received your request to close your account. It will be closed and your data deleted within "
    "30 days; we will email you when it is done. Your card details are held by our payment provider, not by "
    "Parcelry, and they are removed together with the account. {agent}, Parcelry Support",
    "Hello Jonas, the filter jug and the spare filters from your order will leave our warehouse today by express "
    "courier, at no cost, and should reach you within two working days. Thank you for checking the packing slip; "
    "it made this quick to sort out. {agent}, Parcelry Support",
    "Two replies that do not follow it, and why:",
    "'Dear valued customer, we understand your frustration and will look into it shortly.' It says nothing, "
    "promises no date and opens with a phrase the guide forbids.",
    "'Please send us your card number so we can check the payment.' The guide forbids asking for card numbers.",
])

PROMPTS = {
    "classify": "Label this ticket with one word: billing, delivery, damage, account or other.",
    "summarise": "Summarise the ticket and what the account history says about it, for the agent who picks it up.",
    "draft": "Draft the reply to the customer.",
}


def request_for(task: str, ticket_id: str, text: str) -> dict:
    """The request for one task on one ticket; the reply drafts share a cached style guide. Leave as it is."""
    request = {
        "model": MODELS[task],
        "max_tokens": MAX_TOKENS[task],
        "messages": [{"role": "user", "content": f"task {task}: ticket {ticket_id}. {PROMPTS[task]}\n\n{text}\n\n"
                                                 f"Account history:\n{account_history(ticket_id)}"}],
    }
    if task == "draft":
        request["system"] = [{"type": "text", "text": STYLE_GUIDE, "cache_control": {"type": "ephemeral"}}]
    return request


def main() -> dict:
    """Work through the queue until it is done or the budget refuses a call. Leave as it is."""
    client = anthropic.Anthropic()
    budget = SessionBudget(SOFT_LIMIT_USD, HARD_LIMIT_USD)
    calls = []
    stopped = None
    try:
        for ticket_id, text in TICKETS:
            for task in ("classify", "summarise", "draft"):
                request = request_for(task, ticket_id, text)
                budget.check(worst_case_usd(client, request))
                message = client.messages.create(**request)
                usd = budget.record(message.usage, request["model"])
                calls.append({"ticket": ticket_id, "task": task, "usd": usd})
    except BudgetExceeded as error:
        stopped = str(error)
    return {"calls": calls, "spent_usd": budget.spent_usd, "stopped": stopped}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    report = main()
    for call in report["calls"]:
        print(f"{call['ticket']} {call['task']:>9}: ${call['usd']:.6f}")
    print(f"session: ${report['spent_usd']:.6f}; stopped: {report['stopped'] or 'no, the queue is done'}")
