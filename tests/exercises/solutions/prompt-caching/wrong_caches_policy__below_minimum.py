"""Wrong: marks the short instructions block, so the cached prefix is under the minimum length and nothing is cached.

Write `ask` and `input_cost_usd`. `main()` answers nine customer questions: six about the refund
policy, a long document that is the same on every request, two about the short shipping FAQ, and
one about the warranty terms, just under the cache minimum on their own.
Run and grade with `coach grade prompt-caching` (or Ctrl+R in the app).
"""

import logging

import anthropic

MODEL = "claude-sonnet-5-5"
log = logging.getLogger("support.cache")

PRICES = {"input": 2.00, "output": 10.00, "cache_write_5m": 2.50, "cache_write_1h": 4.00, "cache_read": 0.10}
"""claude-sonnet-5-5 in USD per million tokens, from the course's dated price table (coach/data/models.toml,
as of 2026-12-03)."""

INSTRUCTIONS = ("You answer Parcelry customers' questions using only the document below. If the document does "
                "not cover a question, say so and offer to pass it to a colleague. Answer in at most four sentences.")

_POLICY_SECTIONS = [
    "1. Scope. This policy covers every order placed on parcelry.example, in the app or by phone, and delivered "
    "to an address in the European Union, the United Kingdom, Norway or Switzerland. Orders from marketplace "
    "sellers follow the seller's own policy, shown on the product page under 'Sold by'.",
    "2. The return window. You may return most items within 30 days of delivery for a full refund of the price "
    "you paid. The window starts on the day the courier records the delivery, or the day you collect the parcel "
    "from a pick-up point. Items bought in the December sale may be returned until 31 January.",
    "3. Condition of returned items. Items must come back complete, with their accessories, manuals and any free "
    "gift that came with them. Opened items are accepted when they can be resold as open-box; we deduct up to 15% "
    "of the price when packaging is missing or damaged beyond normal opening. Used items are accepted only when "
    "they are faulty (see section 6).",
    "4. Items that cannot be returned. Food and drink, opened personal-care products, underwear and swimwear "
    "without their hygiene seal, gift cards, digital downloads once the download has started, made-to-measure "
    "items and anything engraved or printed to order cannot be returned unless they are faulty.",
    "5. How to return. Start a return from 'My orders' within the window. Print the prepaid label, or show the QR "
    "code at a drop-off point. Returns are free for orders over EUR 25; below that we deduct EUR 3.95 from the "
    "refund. Keep the drop-off receipt until the refund arrives.",
    "6. Faulty and damaged items. If an item arrives damaged, or develops a fault within two years of delivery, "
    "you may choose a repair, a replacement or a refund. Report damage in transit within 14 days with a photo. "
    "After six months we may ask for evidence that the fault was present at delivery, as the law allows.",
    "7. Refunds. We refund to the original payment method within five working days of the warehouse receiving "
    "the return. Delivery charges are refunded when the whole order is returned within 14 days, or when the item "
    "was faulty. Refunds for orders paid by invoice are credited to the invoice account.",
    "8. Exchanges. We do not exchange items directly: return the item and place a new order. When the new order "
    "is for the same product in another size or colour, delivery is free.",
    "9. Late, lost and missing parcels. If tracking has not moved for seven days, we treat the parcel as lost and "
    "offer a replacement or a refund, as you prefer. Items missing from a delivered parcel must be reported "
    "within 14 days; the packing slip and the parcel weight recorded by the courier are checked.",
    "10. Gifts. The person who received a gift may return it for a gift card of the same value, without showing "
    "the price. The buyer is not told about the return unless they ask.",
    "11. Business customers. Orders placed with a VAT number have a 14-day return window. Faulty items are "
    "covered for one year; section 6 applies otherwise.",
    "12. Disputes. If you disagree with a decision, ask for a review by a team lead within 30 days. You may also "
    "use the online dispute resolution service of the European Commission or your national consumer body.",
]

_CATEGORIES = [
    ("Small kitchen appliances", 30, "yes", "2 years"), ("Large kitchen appliances", 30, "no", "2 years"),
    ("Coffee machines and grinders", 30, "yes", "2 years"), ("Kettles and toasters", 30, "yes", "2 years"),
    ("Cookware and pans", 30, "yes", "5 years on non-stick coating"), ("Knives", 30, "no", "2 years"),
    ("Glassware and tableware", 30, "yes", "breakage in transit only"), ("Textiles and bedding", 30, "yes", "-"),
    ("Mattresses", 100, "yes, after a 30-night trial", "10 years"), ("Furniture, flat-packed", 30, "no", "2 years"),
    ("Furniture, assembled", 14, "no", "2 years"), ("Lighting", 30, "yes", "2 years"),
    ("Phones and tablets", 14, "only if sealed", "2 years"), ("Laptops", 14, "only if sealed", "2 years"),
    ("Headphones and speakers", 30, "yes", "2 years"), ("Cameras", 14, "only if sealed", "2 years"),
    ("Smart-home devices", 30, "yes", "2 years"), ("Garden tools", 30, "yes", "2 years"),
    ("Barbecues", 30, "no", "2 years"), ("Bicycles", 14, "no, unless faulty", "2 years, frame 5 years"),
    ("Sports equipment", 30, "yes", "2 years"), ("Toys", 30, "yes", "2 years"),
    ("Baby products", 30, "only if sealed", "2 years"), ("Books", 30, "yes", "-"),
    ("Stationery", 30, "yes", "-"), ("Pet supplies", 30, "only if sealed", "-"),
    ("Beauty devices", 30, "only if sealed", "2 years"), ("Watches", 30, "yes", "2 years"),
    ("Jewellery", 30, "yes, if not engraved", "2 years"), ("Luggage", 30, "yes", "3 years"),
]

REFUND_POLICY = "\n\n".join([
    "Parcelry returns and refunds policy (version 2026-09).",
    *_POLICY_SECTIONS,
    "13. Return windows and guarantees by product category:",
    "\n".join(f"- {name}: return within {days} days; opened items accepted: {opened}; guarantee: {guarantee}."
              for name, days, opened, guarantee in _CATEGORIES),
])
"""About 1,500 tokens, the same on every request."""

SHIPPING_FAQ = (
    "Parcelry shipping FAQ. Standard delivery takes two to four working days and is free over EUR 25. Express "
    "delivery arrives the next working day when ordered before 14:00 and costs EUR 6.90. We deliver Monday to "
    "Saturday. You can change the delivery address until the parcel leaves the warehouse, from 'My orders'. "
    "Parcels can go to a pick-up point; they wait there for seven days."
)
"""A short document: far under the minimum length the API will cache."""


WARRANTY_TERMS = "\n\n".join([
    "Parcelry extended warranty terms (version 2026-10), for products sold with the 'Parcelry Care' label.",
    "1. What is covered. Parcelry Care adds one year to the legal guarantee of the product it was bought with. "
    "It covers faults in materials and workmanship that appear with normal household use, and the cost of parts, "
    "labour and the courier both ways. It does not cover wear parts such as filters, blades, seals and batteries "
    "after the first six months, cosmetic damage that does not affect use, or damage from accidents, liquids, "
    "misuse or repairs by anyone other than an approved service centre.",
    "2. When it starts. The extra year starts on the day the legal guarantee ends, which is two years after "
    "delivery for most products. The order confirmation shows the end date of both. Parcelry Care moves with the "
    "product: if you give the product away, the new owner may claim with the original order number.",
    "3. How to claim. Open 'My orders', choose the product and press 'Report a fault'. Describe what happens and "
    "when, and add a photo or a short video if you can. We answer within two working days with a repair slot or "
    "a prepaid label. Keep the original plug and any remote control; send the product without accessories "
    "unless we ask for them.",
    "4. Repair, replacement or refund. We first try a repair. When a repair is not possible, or the same fault "
    "comes back within three months, we replace the product with the same model or one of equal or better "
    "specification. When no replacement exists, we refund the price paid, less 10% for each full year of use "
    "after the legal guarantee ended.",
    "5. How long a repair takes. Most repairs take five to ten working days from the day the service centre "
    "receives the product. For large appliances a technician visits your home; the visit is booked within five "
    "working days. When a repair takes longer than fifteen working days, you may ask for a loan product. "
    "We tell you by email and text message when the product is on its way back to you.",
    "6. Cancelling. You may cancel Parcelry Care within 30 days of delivery for a full refund of its price, or "
    "later for a refund in proportion to the time left, as long as no claim has been made. Cancelling does not "
    "affect the legal guarantee, which always applies in full.",
    "7. Data on your device. Before you send a phone, a laptop, a camera or a smart-home hub, back up your data "
    "and remove any passcode or account lock. The service centre may have to reset the device to factory "
    "settings, and Parcelry cannot restore data that was on it. We never look at your files or photos.",
    "8. Business use. Products used in a business, a rental flat or a shared workspace are covered for six "
    "months of Parcelry Care instead of a year, and wear parts are not covered at any time. Claims follow "
    "section 3; a VAT number on the order is enough to show business use.",
    "9. Abroad. Parcelry Care applies to products delivered to the European Union, the United Kingdom, Norway "
    "or Switzerland. If you move abroad, claims are handled from your new address within those countries; "
    "outside them, send the product to our returns centre at your own cost and we return it free of charge.",
    "10. Disputes. If you disagree with how a claim was handled, ask for a review by a team lead within 30 "
    "days of our answer. We reply within ten working days with the reasons for the decision.",
    "11. Accessories. Chargers, cables, remote controls and docking stations that came in the box are covered "
    "for the same time as the product. Accessories bought separately are covered by their own guarantee only. "
    "When a covered accessory fails, we send a new one without asking for the old one back, unless it is larger "
    "than a shoebox.",
    "12. Your legal rights. These terms add to your rights under the law and never replace them. Where the law "
    "gives you more, the law applies. A claim under Parcelry Care never shortens the legal guarantee, and a "
    "repair made under either one is itself guaranteed for six months from the day the product comes back.",
])
"""About 1,000 tokens: just under the cache minimum on its own, over it with the instructions before it."""


def ask(client: anthropic.Anthropic, document: str, question: str) -> anthropic.types.Message:
    """Answer one question from `document`, with the instructions and the document cached."""
    message = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system=[
            {"type": "text", "text": INSTRUCTIONS, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": document},
        ],
        messages=[{"role": "user", "content": question}],
    )
    usage = message.usage
    if not usage.cache_creation_input_tokens and not usage.cache_read_input_tokens:
        log.warning("nothing cached for %r: the prompt is under the minimum cacheable length, or it changed "
                    "before the breakpoint (%d input tokens)", question[:40], usage.input_tokens)
    return message


def input_cost_usd(usage) -> float:
    """What the prompt side of one call cost, in USD."""
    return (usage.input_tokens * PRICES["input"]
            + (usage.cache_creation_input_tokens or 0) * PRICES["cache_write_5m"]
            + (usage.cache_read_input_tokens or 0) * PRICES["cache_read"]) / 1_000_000


QUESTIONS = [
    ("refund", "Can I return a blender I have already used once?"),
    ("refund", "How long does a refund take to reach my card?"),
    ("refund", "My parcel's tracking has not changed for a week. What happens now?"),
    ("shipping", "Do you deliver on Saturdays?"),
    ("refund", "Can I return a mattress after sleeping on it?"),
    ("refund", "I got a gift I do not want. Can I return it without the receipt?"),
    ("refund", "Is the delivery charge refunded if I send the whole order back?"),
    ("shipping", "Can I change the delivery address after ordering?"),
    ("warranty", "My Parcelry Care kettle stopped heating after two and a half years. Is it covered?"),
]


def main() -> dict:
    """Answer each question; return what each call's prompt cost. Leave as it is."""
    client = anthropic.Anthropic()
    calls = []
    for topic, question in QUESTIONS:
        document = {"refund": REFUND_POLICY, "shipping": SHIPPING_FAQ, "warranty": WARRANTY_TERMS}[topic]
        message = ask(client, document, f"{topic} question: {question}")
        usage = message.usage
        calls.append({
            "question": question,
            "input_tokens": usage.input_tokens,
            "cache_write_tokens": usage.cache_creation_input_tokens or 0,
            "cache_read_tokens": usage.cache_read_input_tokens or 0,
            "input_usd": input_cost_usd(usage),
        })
    return {"calls": calls, "input_usd": sum(call["input_usd"] for call in calls)}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    report = main()
    for call in report["calls"]:
        print(f"in {call['input_tokens']:>5}  written {call['cache_write_tokens']:>5}  "
              f"read {call['cache_read_tokens']:>5}  ${call['input_usd']:.6f}  {call['question']}")
    print(f"input cost of the session: ${report['input_usd']:.6f}")
