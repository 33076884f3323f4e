package shop

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class CheckoutTest {
    @Test
    fun checkoutChargesCard() {
        val cart = Cart().apply { add(Item("a", 500)) }
        assertEquals(Receipt(500), Checkout { true }.pay(cart))
    }

    @Test
    fun declinedCardGivesNoReceipt() {
        assertNull(Checkout { false }.pay(Cart()))
    }
}
