"""Amazon's orders in the simulator: a per-seller order book on the simulator's clock, its generators, and the
Orders operations (searchOrders, getOrder, confirmShipment).

Tests and benchmarks drive it through `SandboxState.orders` (an OrderWorld) or the /_sim/orders controls.
"""
from .catalog import DEMO_SKUS
from .factory import ItemSpec, OrderMix
from .model import ConfirmationAttempt, SimOrder
from .world import OrderWorld

__all__ = ["DEMO_SKUS", "ConfirmationAttempt", "ItemSpec", "OrderMix", "OrderWorld", "SimOrder"]
