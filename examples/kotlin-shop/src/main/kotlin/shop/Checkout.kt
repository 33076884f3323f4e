package shop

class Checkout(private val charge: (Long) -> Boolean) {
    fun pay(cart: Cart): Receipt? = if (charge(cart.total())) Receipt(cart.total()) else null
}

data class Receipt(val cents: Long) {
    fun render(): String = "TOTAL ${cents / 100}.${"%02d".format(cents % 100)}"
}
