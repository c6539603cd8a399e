from django.urls import path

from resoc.procurement import views

app_name = "procurement"

urlpatterns = [
    path("", views.tender_list, name="tender_list"),
    path("new/", views.tender_create, name="tender_create"),
    path("<str:code>/", views.tender_detail, name="tender_detail"),
    path("<str:code>/edit/", views.tender_edit, name="tender_edit"),
    path("<str:code>/status/", views.tender_status, name="tender_status"),
    path("<str:code>/lots/new/", views.lot_create, name="lot_create"),
    path("<str:code>/lots/<int:number>/edit/", views.lot_edit, name="lot_edit"),
    path("<str:code>/lots/<int:number>/bids/new/", views.bid_create, name="bid_create"),
    path("<str:code>/lots/<int:number>/award/", views.lot_award, name="lot_award"),
    path("<str:code>/lots/<int:number>/order/", views.purchase_order, name="purchase_order"),
    path("<str:code>/lots/<int:number>/delivery/", views.delivery, name="delivery"),
    path("<str:code>/bids/<int:pk>/edit/", views.bid_edit, name="bid_edit"),
    path("<str:code>/bids/<int:pk>/score/", views.bid_score, name="bid_score"),
    path("<str:code>/evaluators/new/", views.evaluator_add, name="evaluator_add"),
    path("<str:code>/declaration/", views.declaration, name="declaration"),
    path("<str:code>/deliveries/<int:pk>/handover/", views.handover, name="handover"),
]
