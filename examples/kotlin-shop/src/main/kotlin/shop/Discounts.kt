package shop

object Discounts {
    fun percentage(total: Long, percent: Int): Long = total - total * percent / 100

    fun fixedAmount(total: Long, cents: Long): Long = maxOf(0, total - cents)
}
