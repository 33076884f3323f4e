rootProject.name = "kotlin-shop"
