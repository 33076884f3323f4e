package shop

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class CartTest {
    @Test
    fun totalIsZeroWhenEmpty() {
        assertEquals(0, Cart().total())
    }

    @Test
    fun addsItems() {
        val cart = Cart()
        cart.add(Item("a", 150))
        cart.add(Item("b", 250))
        assertEquals(400, cart.total())
    }
}
