# Every store of the account, all pages, sorted by name.
data "secretsstore_stores" "all" {
  order     = "name" # name, created or modified
  direction = "asc"  # asc or desc
}

output "store_names" {
  value = data.secretsstore_stores.all.stores[*].name
}
