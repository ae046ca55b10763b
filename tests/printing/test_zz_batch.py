import time, io, cProfile, pstats
from printing import documents
from printing.pdf import render_document, write_pdf
from tests.factories import make_part
from tests.printing.conftest import add_photos

def test_batch(rich_customer, alice, engineer):
    parts=[rich_customer.rich_part]
    for i in range(9):
        p = make_part(rich_customer, demand=rich_customer.rich_demand, number=f"Z{i}")
        add_photos(p, engineer)
        parts.append(p)
    qs = documents.parts_for_print(alice).filter(customer=rich_customer)
    sheets = documents.technical_sheets(qs, for_pdf=True)
    for _ in range(2):
        t=time.process_time()
        docs=[render_document(documents.SHEET if hasattr(documents,'SHEET') else "printing/technical_sheet.html", documents.print_context([s], alice), media_names=s.media_names)[0] for s in sheets]
        t1=time.process_time()
        pdf=write_pdf(docs)
        t2=time.process_time()
        print("layout10 %.2f write-combined %.2f" % (t1-t, t2-t1))
        t=time.process_time()
        for d in docs: d.write_pdf()
        print("write-separately %.2f" % (time.process_time()-t))
    pr=cProfile.Profile(); pr.enable(); write_pdf(docs); pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
