package shop

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class ReceiptSnapshotTest {
    @Test
    fun rendersTotal() {
        assertEquals("TOTAL 4.05", Receipt(405).render())
    }
}
