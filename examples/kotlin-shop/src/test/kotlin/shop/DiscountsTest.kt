package shop

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class DiscountsTest {
    @Test
    fun appliesPercentageDiscount() {
        assertEquals(900, Discounts.percentage(1000, 10))
    }

    // renamed from appliesFixedDiscount: the matrix still cites the old name
    @Test
    fun appliesFixedAmountDiscount() {
        assertEquals(700, Discounts.fixedAmount(1000, 300))
    }
}
