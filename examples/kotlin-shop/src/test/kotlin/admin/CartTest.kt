package admin

import org.junit.jupiter.api.Test

class AdminCartTest {
    @Test
    fun adminCanClearCart() {}
}
