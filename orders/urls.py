from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("export.xlsx", views.order_export, name="order-export"),
    path("new/", views.order_create, name="order-create"),
    path("<int:pk>/", views.order_detail, name="order-detail"),
    path("<int:pk>/edit/", views.order_edit, name="order-edit"),
    path("<int:pk>/delete/", views.order_delete, name="order-delete"),
    path("<int:pk>/deliveries/", views.delivery_create, name="delivery-create"),
    path("deliveries/", views.delivery_list, name="delivery-list"),
    path("deliveries/export.xlsx", views.delivery_export, name="delivery-export"),
    path("deliveries/<int:pk>/delete/", views.delivery_delete, name="delivery-delete"),
]
