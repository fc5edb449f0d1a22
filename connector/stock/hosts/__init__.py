"""Reading the carts' webhook payloads into facts about host SKUs (stock, price, deletions, Shopify levels)."""
