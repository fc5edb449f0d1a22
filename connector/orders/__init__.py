"""Amazon orders into the cart, and the cart's shipments back to Amazon.

Import (Amazon -> imported_orders), cart creation (imported_orders -> cart), the daily re-check, and shipment
confirmation are separate jobs. What is pending lives in the tables of models.py, so every job can die and run again.
"""
