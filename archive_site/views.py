from django.shortcuts import render


def home(request):
    return render(request, "archive_site/home.html")
