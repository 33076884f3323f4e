package shop

data class Item(val sku: String, val cents: Long)

class Cart {
    private val items = mutableListOf<Item>()

    fun add(item: Item) {
        items += item
    }

    fun total(): Long = items.sumOf { it.cents }
}
