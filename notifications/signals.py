"""What the quality work on objections tells whom, hooked onto the records it already writes.

- an `ObjectionAssignment` (registered with a handler, or reassigned, one or many at once
  by `Objection.assign_all`) → the new handler;
- an `ObjectionTransition` to 已关闭 → the customer's sales owner;
- a new `Objection` → the users who follow its customer (and may still see it).

The quality app does not know of this module; the daily reminders of due and overdue
steps are in `notifications.reminders`.
"""

from collections import defaultdict

from django.db.models.signals import post_save
from django.dispatch import receiver

from customers.models import Customer, Follow
from notifications.models import Kind
from notifications.notify import notifications_for, notify, objection_args, save_notifications
from quality.models import Objection, ObjectionAssignment, ObjectionTransition
from quality.models.objections import assignments_made, objections_registered


@receiver(post_save, sender=ObjectionAssignment, dispatch_uid="notifications.assignment")
def objection_assigned(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    assignments_notified([instance])


@receiver(assignments_made, dispatch_uid="notifications.assignments")
def objections_assigned(sender, assignments, **kwargs):
    """Assignments made together (`Objection.assign_all`): their notifications in two queries."""
    assignments_notified(assignments)


def assignments_notified(assignments):
    """Each assignment's new handler is told (one notification per assignment)."""
    ids = [a.objection_id for a in assignments]
    objections = Objection.objects.select_related("customer").in_bulk(ids)
    notes = []
    for a in assignments:
        objection = objections[a.objection_id]
        args = objection_args(objection, by=str(a.by), note=a.note)
        notes += notifications_for(Kind.ASSIGNED, [a.handler], objection=objection, args=args, actor=a.by)
    save_notifications(notes)


@receiver(post_save, sender=ObjectionTransition, dispatch_uid="notifications.closed")
def objection_closed(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.to_status != Objection.Status.CLOSED:
        return
    objection = Objection.objects.select_related("customer__sales_owner").get(pk=instance.objection_id)
    args = objection_args(objection, by=str(instance.by))
    owner = objection.customer.sales_owner
    notify(Kind.CLOSED, [owner], objection=objection, args=args, actor=instance.by)


@receiver(post_save, sender=Objection, dispatch_uid="notifications.new_objection")
def objection_registered(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    followers_told([instance])


@receiver(objections_registered, dispatch_uid="notifications.new_objections")
def objections_imported(sender, objections, **kwargs):
    """Objections an import registered together: their followers told in a few queries."""
    followers_told(objections)


def followers_told(objections):
    """The users who follow each new objection's customer, and may still see it, are told
    (a query for the follows, one per follower for what they see, one for the objections)."""
    customer_ids = {o.customer_id for o in objections}
    follows = Follow.objects.filter(customer_id__in=customer_ids, user__is_active=True).select_related("user")
    following = defaultdict(list)
    for follow in follows:
        following[follow.user].append(follow.customer_id)
    # Only what each still may see (a share may have been withdrawn since).
    followers = defaultdict(list)
    for user, ids in following.items():
        for customer_id in Customer.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True):
            followers[customer_id].append(user)
    told = [o.pk for o in objections if followers.get(o.customer_id)]
    if not told:
        return
    notes = []
    new = Objection.objects.select_related("customer", "defect_type", "created_by").filter(pk__in=told)
    for objection in new:
        args = objection_args(objection, defect=str(objection.defect_type or ""))
        notes += notifications_for(
            Kind.NEW_OBJECTION,
            followers[objection.customer_id],
            objection=objection,
            args=args,
            actor=objection.created_by,
        )
    save_notifications(notes)
